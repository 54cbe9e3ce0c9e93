/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the HTTP server (http.c, http_feed.c): the libmicrohttpd functions,
 * found in the library once loaded, and what a request is to them.
 */
#ifndef NSMON_HTTP_MHD_H
#define NSMON_HTTP_MHD_H

#include <microhttpd.h>

struct http_mhd {
	typeof(MHD_start_daemon) *start_daemon;
	typeof(MHD_stop_daemon) *stop_daemon;
	typeof(MHD_create_response_from_buffer) *create_response_from_buffer;
	typeof(MHD_create_response_from_callback) *create_response_from_callback;
	typeof(MHD_add_response_header) *add_response_header;
	typeof(MHD_queue_response) *queue_response;
	typeof(MHD_destroy_response) *destroy_response;
	typeof(MHD_lookup_connection_value) *lookup_connection_value;
	typeof(MHD_get_connection_values) *get_connection_values;
	typeof(MHD_suspend_connection) *suspend_connection;
	typeof(MHD_resume_connection) *resume_connection;
};

extern struct http_mhd http_mhd;

#define HTTP_EXTRA_HEADERS	4

struct http_request {
	struct MHD_Connection *conn;
	const struct http_server *srv;
	const char *path;
	bool head;
	struct {
		const char *name, *value;
	} extra[HTTP_EXTRA_HEADERS];
	int nextra;
};

/*
 * Queue @resp (with the server's headers and @req's extra ones) as the
 * answer to @req, and drop our reference. Return: 0, or -1 (close it).
 */
int http_queue(struct http_request *req, unsigned int status, struct MHD_Response *resp,
	       const char *type);

#endif
