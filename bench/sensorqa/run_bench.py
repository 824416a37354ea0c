#!/usr/bin/env python3
"""SensorQA (dev) benchmark for imu2clip's question answering.

For every user of the dataset it converts timelines/<UUID>.jsonl into imu2clip's log import
format ({"t": epoch s, "labels": [...]}: one log line per label, 60 s each), imports it
(`imu2clip logs import`, or POST /v1/logs/import with --server), asks every question of
questions.jsonl (`imu2clip ask --json`, or POST /v1/ask with --server), writes
predictions.jsonl and runs the dataset's score.py, printing accuracy per question type.

Time context given with each question (as in SensorQA, where each question was written over a
chart of one day or one week):
  day scope : as_of = end of reference_date, focus = that day
  week scope: as_of = end of the last of user_dates (the README: weekly questions cover
              user_dates, which leave out the user's last calendar day), focus = first..last
              of user_dates
Time zone America/Los_Angeles.  --no-focus drops the focus (then only as_of is given).

Usage:
  python3 bench/sensorqa/run_bench.py [--data DIR] [--imu2clip BIN] [--out DIR] [--jobs N]
      default: starts `imu2clip serve` on a fresh database and a free loopback port, creates
      one user per SensorQA user (`imu2clip user add`), imports through POST /v1/logs/import
      and asks through POST /v1/ask: the service's real path.
  python3 bench/sensorqa/run_bench.py --cli      the same through `imu2clip logs import` / `ask --batch`
  python3 bench/sensorqa/run_bench.py --server http://127.0.0.1:8080 --token T   (a token
      per user: --tokens FILE with {"<UUID>": "<token>"}; users must exist on the server)
Standard library only.
"""
import argparse
import concurrent.futures
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

TZ = 'America/Los_Angeles'
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def convert_timeline(timeline_path, out_path):
    """ExtraSensory timeline rows -> imu2clip import JSONL (one line per example)."""
    n = 0
    with open(timeline_path) as src, open(out_path, 'w') as dst:
        for line in src:
            if not line.strip():
                continue
            row = json.loads(line)
            if not row.get('labels'):
                continue  # the user gave no labels for this minute: nothing to log
            dst.write(json.dumps({'t': row['ts'], 'labels': row['labels']}) + '\n')
            n += 1
    return n


def day_after(date_text):
    return (datetime.date.fromisoformat(date_text) + datetime.timedelta(days=1)).isoformat()


def question_time(q):
    """(as_of, focus_from, focus_to) as local ISO-8601 times (read in TZ)."""
    if q['scope'] == 'day' and q.get('reference_date'):
        ref = q['reference_date']
        return ref + 'T23:59:59', ref + 'T00:00:00', day_after(ref) + 'T00:00:00'
    dates = sorted(q['user_dates'])
    return dates[-1] + 'T23:59:59', dates[0] + 'T00:00:00', day_after(dates[-1]) + 'T00:00:00'


class CliTransport:
    """Runs the imu2clip binary against a local database file."""

    def __init__(self, binary, db, extra=()):
        self.binary, self.db, self.extra = binary, db, list(extra)

    def import_log(self, user, path):
        out = subprocess.run([self.binary, 'logs', 'import', '--db', self.db, '--user', user, '--tz', TZ, path],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip())
        return out.stdout.strip()

    def ask_batch(self, user, items):
        """items: [{"id", "question", "as_of", "focus_from"?, "focus_to"?}] -> {id: result}."""
        payload = ''.join(json.dumps(i) + '\n' for i in items)
        out = subprocess.run([self.binary, 'ask', '--db', self.db, '--user', user, '--tz', TZ, '--batch', '-']
                             + self.extra,
                             input=payload, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip())
        results = {}
        for line in out.stdout.splitlines():
            r = json.loads(line)
            results[r['id']] = r
        return results

    def ask(self, user, question, as_of, focus):
        cmd = [self.binary, 'ask', '--db', self.db, '--user', user, '--tz', TZ, '--as-of', as_of, '--json']
        if focus:
            cmd += ['--focus-from', focus[0], '--focus-to', focus[1]]
        out = subprocess.run(cmd + ['--', question], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip())
        return json.loads(out.stdout)


class LocalServer:
    """`imu2clip serve` on a fresh database and a free port, with one user per SensorQA user."""

    def __init__(self, binary, db, users):
        self.tokens = {}
        for user in users:
            out = subprocess.run([binary, 'user', 'add', user, '--tz', TZ, '--db', db],
                                 capture_output=True, text=True)
            if out.returncode != 0:
                raise RuntimeError(out.stderr.strip())
            self.tokens[user] = out.stdout.split()[-1]
        self.proc = subprocess.Popen([binary, 'serve', '--db', db, '--port', '0', '--rate-limit', '0'],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = None
        for line in self.proc.stdout:
            if 'serving on ' in line:
                self.url = line.split('serving on ', 1)[1].strip().rstrip('/')
                break
        if not self.url:
            raise RuntimeError('imu2clip serve did not start')

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


class HttpTransport:
    """Talks to `imu2clip serve` (POST /v1/logs/import, POST /v1/ask)."""

    def __init__(self, base_url, token, tokens):
        self.base, self.token, self.tokens = base_url.rstrip('/'), token, tokens

    def _post(self, user, path, body, content_type):
        token = self.tokens.get(user, self.token)
        req = urllib.request.Request(self.base + path, data=body, method='POST',
                                     headers={'Authorization': 'Bearer ' + token, 'Content-Type': content_type})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read().decode('utf-8'))

    def import_log(self, user, path):
        with open(path, 'rb') as f:
            return json.dumps(self._post(user, '/v1/logs/import', f.read(), 'application/x-ndjson'))

    def ask(self, user, question, as_of, focus):
        body = {'question': question, 'as_of': as_of, 'tz': TZ}
        if focus:
            body['focus_from'], body['focus_to'] = focus
        return self._post(user, '/v1/ask', json.dumps(body).encode('utf-8'), 'application/json')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default=os.path.join(os.path.dirname(REPO), 'shared', 'data', 'qa', 'sensorqa_dev'))
    ap.add_argument('--imu2clip', default=os.environ.get('IMU2CLIP_BIN',
                                                         os.path.join(REPO, 'build', 'services', 'cli', 'imu2clip')))
    ap.add_argument('--out', default=None, help='folder for predictions.jsonl, details.jsonl (default: a temp dir)')
    ap.add_argument('--db', default=None, help='database file for the CLI transport (default: in --out)')
    ap.add_argument('--server', default=None, help='URL of a running imu2clip server (default: start one)')
    ap.add_argument('--cli', action='store_true', help='use `imu2clip logs import` / `ask` instead of HTTP')
    ap.add_argument('--token', default='', help='API token (HTTP)')
    ap.add_argument('--tokens', default=None, help='JSON file {"<UUID>": token} (HTTP, one user each)')
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--limit', type=int, default=0, help='ask only the first N questions')
    ap.add_argument('--no-focus', action='store_true', help='do not tell the assistant which day/week is meant')
    ap.add_argument('--episode-gap-min', type=float, default=None, help='CLI: passed to imu2clip ask')
    ap.add_argument('--reuse-db', action='store_true', help='CLI: skip the import when --db exists')
    ap.add_argument('--one-by-one', action='store_true', help='CLI: one `imu2clip ask` process per question')
    args = ap.parse_args()

    out_dir = args.out or tempfile.mkdtemp(prefix='sensorqa_')
    os.makedirs(out_dir, exist_ok=True)
    questions = [json.loads(l) for l in open(os.path.join(args.data, 'questions.jsonl')) if l.strip()]
    if args.limit:
        questions = questions[:args.limit]
    users = sorted({q['user'] for q in questions})

    server = None
    if args.server:
        tokens = json.load(open(args.tokens)) if args.tokens else {}
        transport = HttpTransport(args.server, args.token, tokens)
    elif not args.cli:
        if not os.path.exists(args.imu2clip):
            sys.exit('imu2clip binary not found at %s (build it, or pass --imu2clip)' % args.imu2clip)
        server = LocalServer(args.imu2clip, args.db or os.path.join(out_dir, 'sensorqa.db'), users)
        print('serving on %s' % server.url, file=sys.stderr)
        transport = HttpTransport(server.url, '', server.tokens)
    else:
        if not os.path.exists(args.imu2clip):
            sys.exit('imu2clip binary not found at %s (build it, or pass --imu2clip)' % args.imu2clip)
        db = args.db or os.path.join(out_dir, 'sensorqa.db')
        extra = ['--episode-gap-min', str(args.episode_gap_min)] if args.episode_gap_min is not None else []
        transport = CliTransport(args.imu2clip, db, extra)

    t0 = time.time()
    skip_import = args.reuse_db and isinstance(transport, CliTransport) and os.path.exists(transport.db)
    for user in ([] if skip_import else users):
        path = os.path.join(out_dir, 'import_%s.jsonl' % user)
        n = convert_timeline(os.path.join(args.data, 'timelines', user + '.jsonl'), path)
        print('%s: %d rows -> %s' % (user, n, transport.import_log(user, path)), file=sys.stderr)
    t_import = time.time() - t0

    def ask(q):
        as_of, ffrom, fto = question_time(q)
        started = time.time()
        try:
            r = transport.ask(q['user'], q['question'], as_of, None if args.no_focus else (ffrom, fto))
            return q, r, time.time() - started, None
        except Exception as e:  # noqa: BLE001 - reported per question, the run goes on
            return q, None, time.time() - started, str(e)

    t1 = time.time()
    results = []
    if isinstance(transport, CliTransport) and not args.one_by_one:
        # One process per user: the binary's start-up is paid once, not per question.
        def ask_user(user):
            items = []
            for q in questions:
                if q['user'] != user:
                    continue
                as_of, ffrom, fto = question_time(q)
                item = {'id': q['id'], 'question': q['question'], 'as_of': as_of}
                if not args.no_focus:
                    item['focus_from'], item['focus_to'] = ffrom, fto
                items.append(item)
            return transport.ask_batch(user, items)
        by_id = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for part in pool.map(ask_user, users):
                by_id.update(part)
        for q in questions:
            r = by_id.get(q['id'])
            err = None if r and 'error' not in r else (r or {}).get('error', 'no answer')
            results.append((q, r if err is None else None, 0.0, err))
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for res in pool.map(ask, questions):
                results.append(res)
    t_ask = time.time() - t1
    if server:
        server.stop()

    pred_path = os.path.join(out_dir, 'predictions.jsonl')
    answers_path = os.path.join(out_dir, 'answers.jsonl')
    errors = 0
    with open(pred_path, 'w') as pred, open(answers_path, 'w') as full:
        for q, r, seconds, err in results:
            answer = r['answer'] if r else ''
            errors += err is not None
            pred.write(json.dumps({'id': q['id'], 'answer': answer}) + '\n')
            full.write(json.dumps({'id': q['id'], 'type': q['type'], 'question': q['question'], 'gold': q['gold'],
                                   'answer': answer, 'understood': r.get('understood') if r else None,
                                   'facts': r.get('facts') if r else None, 'error': err,
                                   'seconds': round(seconds, 4)}) + '\n')
    details = os.path.join(out_dir, 'details.jsonl')
    score = subprocess.run([sys.executable, os.path.join(args.data, 'score.py'),
                            os.path.join(args.data, 'questions.jsonl') if not args.limit else _subset(questions, out_dir),
                            pred_path, '--details', details], capture_output=True, text=True)
    print(score.stdout.rstrip())
    if score.returncode != 0:
        print(score.stderr, file=sys.stderr)
    not_understood = sum(1 for _, r, _, _ in results if r and r.get('understood') is False)
    print('questions %d, errors %d, not understood %d; import %.1f s, asking %.1f s (%.1f ms per question)' %
          (len(results), errors, not_understood, t_import, t_ask, 1000 * t_ask / max(1, len(results))))
    print('files: %s' % out_dir)


def _subset(questions, out_dir):
    path = os.path.join(out_dir, 'questions_subset.jsonl')
    with open(path, 'w') as f:
        for q in questions:
            f.write(json.dumps(q) + '\n')
    return path


if __name__ == '__main__':
    main()
