#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Load a page in headless Chromium and report on it, over the DevTools protocol.

Waits, in real time, until a JavaScript expression is true in the page, then
writes the DOM and a screenshot and prints every console message, uncaught
exception and browser log entry (failed loads, Content-Security-Policy
refusals) of level warning or error, one per line:
    console: error: ...
The page's own timers run in real time (no --virtual-time-budget): its rates
are packets over seconds of wall clock.

    cdp.py --url URL --until 'EXPR' [--timeout S] [--dom FILE] [--screenshot FILE]
           [--size 1600x1200] [--full] [--press KEY ...] [--value 'EXPR' ...]

--press types KEY once the wait is over; --value then prints "value: EXPR =
RESULT" (for benchmarks).
Exit: 0 the expression became true, 1 it did not within --timeout, 2
Chromium could not start or be reached (the caller skips, saying why).
"""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import websocket  # Debian's python3-websocket
except ImportError:
    print('cdp: python3-websocket is missing (make deps installs it)', file=sys.stderr)
    sys.exit(2)

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--remote-debugging-port=0']


class Session:
    """One page target, attached flat over the browser's WebSocket."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.session = None
        self.events = []

    def call(self, method, params=None, timeout=30):
        self.next_id += 1
        msg = {'id': self.next_id, 'method': method, 'params': params or {}}
        if self.session and not method.startswith('Target.'):
            msg['sessionId'] = self.session
        self.ws.send(json.dumps(msg))
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.ws.settimeout(max(0.1, deadline - time.time()))
            reply = json.loads(self.ws.recv())
            if reply.get('id') == self.next_id:
                if 'error' in reply:
                    raise RuntimeError('%s: %s' % (method, reply['error'].get('message')))
                return reply.get('result', {})
            if 'method' in reply:
                self.events.append(reply)
        raise TimeoutError(method)

    def evaluate(self, expr):
        r = self.call('Runtime.evaluate', {'expression': expr, 'returnByValue': True})
        if 'exceptionDetails' in r:
            return None
        return r.get('result', {}).get('value')


def problems(events):
    """The console's warnings and errors, as lines."""
    out = []
    for e in events:
        m, p = e.get('method'), e.get('params', {})
        if m == 'Runtime.consoleAPICalled' and p.get('type') in ('error', 'warning', 'assert'):
            args = ' '.join(str(a.get('value', a.get('description', ''))) for a in p.get('args', []))
            out.append('console: %s: %s' % (p['type'], args))
        elif m == 'Runtime.exceptionThrown':
            d = p.get('exceptionDetails', {})
            out.append('console: exception: %s %s' % (d.get('text', ''),
                       d.get('exception', {}).get('description', '')))
        elif m == 'Log.entryAdded' and p.get('entry', {}).get('level') in ('error', 'warning'):
            en = p['entry']
            out.append('console: %s: %s %s' % (en['level'], en.get('text', ''), en.get('url', '')))
    return out


def start_browser(profile, size):
    exe = shutil.which('chromium')
    if not exe:
        print('cdp: no chromium (make deps installs it)', file=sys.stderr)
        sys.exit(2)
    log = open(os.path.join(profile, 'chromium.log'), 'w')
    proc = subprocess.Popen([exe] + FLAGS + ['--user-data-dir=' + profile, '--window-size=' + size.replace('x', ','),
                            'about:blank'], stdout=log, stderr=subprocess.STDOUT)
    port_file = os.path.join(profile, 'DevToolsActivePort')
    for _ in range(300):
        if os.path.exists(port_file):
            lines = open(port_file).read().split('\n')
            if len(lines) >= 2 and lines[1]:
                return proc, 'ws://127.0.0.1:%s%s' % (lines[0], lines[1])
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    print('cdp: chromium did not start: ' + open(os.path.join(profile, 'chromium.log')).read()[-400:], file=sys.stderr)
    sys.exit(2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--url', required=True)
    ap.add_argument('--until', required=True)
    ap.add_argument('--timeout', type=float, default=20)
    ap.add_argument('--dom')
    ap.add_argument('--screenshot')
    ap.add_argument('--size', default='1600x1200')
    ap.add_argument('--value', action='append', default=[])
    ap.add_argument('--full', action='store_true', help='the screenshot of the whole page, not the window')
    ap.add_argument('--press', action='append', default=[], help='a key to press once the wait is over')
    args = ap.parse_args()

    profile = tempfile.mkdtemp(prefix='nsmon-chromium.')
    proc = None
    try:
        proc, url = start_browser(profile, args.size)
        try:
            ws = websocket.create_connection(url, timeout=30, suppress_origin=True)
        except Exception as e:  # noqa: BLE001 - any failure to reach it is "cannot start"
            print('cdp: cannot reach chromium: %s' % e, file=sys.stderr)
            sys.exit(2)
        s = Session(ws)
        target = s.call('Target.createTarget', {'url': 'about:blank'})['targetId']
        s.session = s.call('Target.attachToTarget', {'targetId': target, 'flatten': True})['sessionId']
        w, h = (int(x) for x in args.size.split('x'))
        for m in ('Runtime.enable', 'Log.enable', 'Page.enable'):
            s.call(m)
        s.call('Emulation.setDeviceMetricsOverride', {'width': w, 'height': h, 'deviceScaleFactor': 1, 'mobile': False})
        s.call('Page.navigate', {'url': args.url})
        ok = False
        deadline = time.time() + args.timeout
        while time.time() < deadline:
            if s.evaluate('Boolean(%s)' % args.until):
                ok = True
                break
            time.sleep(0.25)
        for key in args.press:
            for kind in ('keyDown', 'keyUp'):
                s.call('Input.dispatchKeyEvent', {'type': kind, 'key': key, 'text': key if kind == 'keyDown' else ''})
        for v in args.value:
            print('value: %s = %s' % (v, json.dumps(s.evaluate(v))))
        if args.dom:
            with open(args.dom, 'w') as f:
                f.write(s.evaluate('document.documentElement.outerHTML') or '')
        if args.screenshot:
            params = {'format': 'png'}
            if args.full:
                size = s.call('Page.getLayoutMetrics')['cssContentSize']
                params.update(captureBeyondViewport=True,
                              clip={'x': 0, 'y': 0, 'width': w, 'height': size['height'], 'scale': 1})
            shot = s.call('Page.captureScreenshot', params)
            with open(args.screenshot, 'wb') as f:
                f.write(base64.b64decode(shot['data']))
        for line in problems(s.events):
            print(line)
        sys.exit(0 if ok else 1)
    finally:
        if proc:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == '__main__':
    main()
