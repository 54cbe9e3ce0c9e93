/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The web page's files (web/), compiled into the binary at build time
 * (tools/embed-assets.sh writes .output/web_assets.c), so that `nsmon web`
 * serves the page offline, from one file.
 */
#ifndef NSMON_WEB_ASSETS_H
#define NSMON_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path;		/* "/app.js": web/app.js */
	const unsigned char *data;
	size_t len;
};

/* Every file of web/, ended by one whose path is NULL. */
extern const struct web_asset web_assets[];

#endif
