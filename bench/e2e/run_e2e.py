#!/usr/bin/env python3
"""End-to-end benchmark of the whole product: real IMU recordings -> upload -> tagger -> log ->
assistant answers, scored against the true labels.

For every subject of --split (default TEST) of the canonical datasets in --data (imu/<dataset>/manifest.json,
split == "test") it assembles "a day": the subject's real recordings, shuffled (seeded), capped at
--max-minutes of signal (default 60), placed one after another from 08:00 local time with
realistic gaps between them (2-15 min, now and then a 40-90 min break), and writes it as ONE
canonical CSV (t_ms,ax,ay,az,gx,gy,gz; t_ms jumps over the gaps) - what a phone or watch app's
export of the day's sensor log looks like. No sample is synthesised or changed; only t_ms is
shifted.

The schedule (ground truth) is each recording's labels.csv segments mapped to the product's
everyday vocabulary with models/vocabulary/label_map.tsv ('-' = no everyday activity: left out
of the schedule), placed at their clock times.

Two databases, two `imu2clip serve` processes on loopback, one user per subject in each
(`imu2clip user add`):
  raw   : the day file is uploaded with POST /v1/recordings?start=...&name=<user>-day.csv.gz
          (gzip, raw body) and tagged by the server's upload job (polled with GET /v1/jobs/{id});
          the questions are asked over the log the tagger wrote.  If the model's labels are not
          the everyday vocabulary (the old default model logs the 41 raw dataset phrases), the
          tagged log is read back (GET /v1/logs), every label that label_map.tsv lists is mapped
          to its everyday phrase ('-' -> "unclear motion"), and the mapped log is imported for a
          second user ("<user>.mapped", POST /v1/logs/import) who is asked instead.
  truth : the schedule itself is imported (POST /v1/logs/import): the answerer's errors alone.

Questions (generated deterministically from the schedule; each drawn in one of a few everyday
phrasings, see PHRASINGS; --plain uses only the first), asked with POST /v1/ask (built-in
answerer), as_of = the end of the day, tz = the users' zone:
  duration  "How long did I <verb> today?"      right if |answer - truth| <= max(20 %, 1 min) and the
                                                answer is not 0 (every asked activity lasted >= 30 s)
  yes       "Did I <verb> today?" (present)     right if the answer's first word is "Yes"
  no        "Did I <verb> today?" (absent from  right if the answer's first word is "No"
            the schedule, up to 4 per subject)
  first     "When did I first <verb> today?"    right if within 5 min of the first start
  last      "When did I last <verb> today?"     right if inside the last bout +- 5 min (a bout:
                                                segments joined across gaps < 5 min)
  at_time   "What was I doing at H:MM am?"      right if the true activity is among the labels
                                                named (up to 6 instants per subject, whole minutes
                                                >= 30 s inside a true segment, longest first)
Activities with under 30 s of true time in the day get no questions.  Scores come from the
structured `facts` of /v1/ask (duration "minutes", time "local", at_time "labels"); yes/no from
the answer's first word.  understood == false counts as wrong, except a "No" to a yes/no question
about an absent activity whose words matched no label in the log (the answerer's designed reply:
"No: nothing in your log ... matches \"play soccer\"").

Usage:
  python3 bench/e2e/run_e2e.py [--bin PATH] [--model BUNDLE] [--data ../shared/data/imu]
                               [--out DIR] [--json] [--seed N] [--max-minutes M] [--datasets a,b]
Writes DIR/results.json (every question, expected answer, both answers and verdicts) and
DIR/summary.md; prints the markdown tables (or, with --json, the summary as JSON).
Exit status: 0 when the benchmark ran (whatever the scores), 1 on infrastructure errors.
Standard library only.
"""
import argparse
import collections
import csv
import datetime
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DATASETS = ['hapt', 'wisdm', 'classyglass', 'spsw', 'motionsense', 'dsads_torso', 'dsads_leg']
UNCLEAR = 'unclear motion'

# How a person asks about each everyday activity: base verb ("did I <verb> today?"), -ing form
# ("how much time did I spend <ing>"), past tense ("the last time I <past>").
VERBS = {
    'walking': ('walk', 'walking', 'walked'), 'running': ('run', 'running', 'ran'),
    'climbing stairs': ('climb stairs', 'climbing stairs', 'climbed stairs'), 'sitting': ('sit', 'sitting', 'sat'),
    'standing': ('stand', 'standing', 'stood'), 'lying down': ('lie down', 'lying down', 'lay down'),
    'cycling': ('cycle', 'cycling', 'cycled'),
    'using a computer': ('use a computer', 'using a computer', 'used a computer'),
    'writing': ('write', 'writing', 'wrote'), 'reading': ('read', 'reading', 'read'),
    'eating': ('eat', 'eating', 'ate'), 'drinking': ('drink', 'drinking', 'drank'),
    'brushing teeth': ('brush my teeth', 'brushing my teeth', 'brushed my teeth'),
    'folding laundry': ('fold laundry', 'folding laundry', 'folded laundry'),
    'clapping': ('clap', 'clapping', 'clapped'),
    'playing basketball': ('play basketball', 'playing basketball', 'played basketball'),
    'playing soccer': ('play soccer', 'playing soccer', 'played soccer'),
    'playing catch': ('play catch', 'playing catch', 'played catch'),
    'working out': ('work out', 'working out', 'worked out'), 'rowing': ('row', 'rowing', 'rowed'),
    'jumping': ('jump', 'jumping', 'jumped'),
    'picking something up': ('pick something up', 'picking something up', 'picked something up'),
}
# Phrasings per question kind (one is drawn per question, seeded; --plain asks only the first).
# {v} base verb, {ing} -ing form, {past} past tense, {clock} "9:47 am".
PHRASINGS = {
    'duration': ['How long did I {v} today?', 'How much time did I spend {ing} today?',
                 'How many minutes did I spend {ing} today?'],
    'yes': ['Did I {v} today?', 'Was I {ing} at all today?', 'Have I been {ing} today?'],
    'first': ['When did I first {v} today?', 'What time did I start {ing} today?'],
    'last': ['When did I last {v} today?', 'When was the last time I {past} today?'],
    'at_time': ['What was I doing at {clock}?', 'What was I doing around {clock} today?'],
}
PHRASINGS['no'] = PHRASINGS['yes']
KINDS = ['duration', 'yes', 'no', 'first', 'last', 'at_time']

DURATION_REL_TOL = 0.20
DURATION_ABS_TOL_MIN = 1.0
TIME_TOL_MIN = 5.0
BOUT_GAP_MS = 5 * 60 * 1000      # the answerer's episode gap
AT_TIME_MARGIN_MS = 30 * 1000    # an at_time instant lies this far inside its true segment
AT_TIME_PER_SUBJECT = 6
ABSENT_PER_SUBJECT = 4
MIN_PRESENT_MS = 30 * 1000       # activities with less true time than this get no questions


class InfraError(RuntimeError):
    pass


# ------------------------------------------------------------------ inputs

def read_label_map(path):
    """{(dataset, label): activity or None} from label_map.tsv ('-' -> None)."""
    out = {}
    with open(path) as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            parts = line.rstrip('\n').split('\t')
            if parts[0] == 'dataset' or len(parts) < 3:
                continue
            out[(parts[0], parts[1])] = None if parts[2] == '-' else parts[2]
    return out


def read_activities(path):
    with open(path) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith('#')]


def phrase_map(label_map):
    """Dataset-independent phrase -> activity map for the tagger's log labels (a phrase listed by
    several datasets maps to the activity most of them give)."""
    votes = collections.defaultdict(collections.Counter)
    for (_, label), act in label_map.items():
        votes[label][act if act else '-'] += 1
    out, conflicts = {}, []
    for label, c in votes.items():
        act, _ = c.most_common(1)[0]
        if len(c) > 1:
            conflicts.append((label, dict(c)))
        out[label] = None if act == '-' else act
    return out, conflicts


def load_dataset(data_dir, name, split='test'):
    root = os.path.join(data_dir, name)
    with open(os.path.join(root, 'manifest.json')) as f:
        manifest = json.load(f)
    labels = collections.defaultdict(list)
    with open(os.path.join(root, 'labels.csv')) as f:
        for row in csv.DictReader(f):
            labels[row['recording_id']].append((float(row['start_ms']), float(row['end_ms']), row['label']))
    by_subject = collections.defaultdict(list)
    for r in manifest['recordings']:
        if r.get('split') == split:
            by_subject[r['subject']].append(r)
    return root, manifest, labels, by_subject


# ------------------------------------------------------------------ the day

def plan_day(recordings, rng, max_minutes):
    """Shuffled recordings capped at max_minutes of signal, with (offset_ms) from 08:00."""
    recs = sorted(recordings, key=lambda r: r['id'])
    rng.shuffle(recs)
    chosen, total = [], 0.0
    for r in recs:
        if chosen and total + r['duration_s'] > max_minutes * 60:
            continue
        chosen.append(r)
        total += r['duration_s']
    placed, cursor = [], 0
    for i, r in enumerate(chosen):
        placed.append((r, cursor))
        dur_ms = int(round(r['duration_s'] * 1000))
        gap_s = rng.randint(40, 90) * 60 if rng.random() < 0.15 else rng.randint(2 * 60, 15 * 60)
        cursor += dur_ms + gap_s * 1000
    return placed


def write_day_csv(root, placed, path):
    """One gzip canonical CSV: each recording's rows, t_ms shifted to its place in the day."""
    rows = 0
    with gzip.open(path, 'wt', compresslevel=3, newline='') as out:
        out.write('t_ms,ax,ay,az,gx,gy,gz\n')
        last_t = -1.0
        for r, offset in placed:
            with gzip.open(os.path.join(root, r['file']), 'rt') as f:
                header = f.readline().strip()
                if header != 't_ms,ax,ay,az,gx,gy,gz':
                    raise InfraError('%s: unexpected header %r' % (r['file'], header))
                for line in f:
                    comma = line.find(',')
                    t = float(line[:comma]) + offset
                    if t <= last_t:
                        raise InfraError('%s: t_ms not increasing after shifting' % r['file'])
                    last_t = t
                    ts = ('%d' % t) if t == int(t) else ('%.1f' % t)
                    out.write(ts + line[comma:])
                    rows += 1
    return rows


def build_schedule(placed, labels, dataset, label_map, day_start_ms):
    """True segments [(start_utc_ms, end_utc_ms, activity, source_label)] of the day, sorted."""
    segs, unmapped = [], collections.Counter()
    for r, offset in placed:
        for start_ms, end_ms, label in labels.get(r['id'], []):
            key = (dataset, label)
            if key not in label_map:
                unmapped[label] += 1
                continue
            act = label_map[key]
            if act is None:
                continue
            segs.append((day_start_ms + offset + int(round(start_ms)), day_start_ms + offset + int(round(end_ms)),
                         act, label))
    segs.sort()
    return segs, unmapped


def bouts(segs, activity):
    """Segments of one activity joined across gaps < BOUT_GAP_MS: [(from, to)]."""
    out = []
    for s, e, a, _ in segs:
        if a != activity:
            continue
        if out and s - out[-1][1] < BOUT_GAP_MS:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


# ------------------------------------------------------------------ questions

def local_minute(utc_ms, tz):
    d = datetime.datetime.fromtimestamp(utc_ms / 1000.0, tz)
    return d.hour * 60 + d.minute + d.second / 60.0 + d.microsecond / 60e6


def hhmm(minute):
    minute = int(minute)
    return '%02d:%02d' % (minute // 60, minute % 60)


def clock_words(minute):
    h, m = divmod(int(minute), 60)
    ampm = 'am' if h < 12 else 'pm'
    h12 = h % 12 or 12
    return '%d:%02d %s' % (h12, m, ampm)


def make_questions(subject_key, segs, activities, rng, tz, plain):
    total = collections.Counter()
    for s, e, a, _ in segs:
        total[a] += e - s
    present = sorted(a for a in total if total[a] >= MIN_PRESENT_MS)
    absent = sorted(a for a in activities if a not in total and a in VERBS)
    qs = []
    wording = random.Random(rng.random())  # phrasings drawn apart from the questions themselves

    def add(kind, activity, expected, clock=None):
        k = 0 if plain else wording.randrange(len(PHRASINGS[kind]))
        v, ing, past = VERBS.get(activity, ('do ' + activity, activity, 'did ' + activity))
        text = PHRASINGS[kind][k].format(v=v, ing=ing, past=past, clock=clock)
        qs.append({'id': '%s/%s/%d' % (subject_key, kind, len(qs)), 'kind': kind, 'activity': activity,
                   'phrasing': '%s/%d' % (kind if kind != 'no' else 'yes', k), 'question': text,
                   'expected': expected})

    for a in present:
        b = bouts(segs, a)
        add('duration', a, {'minutes': round(total[a] / 60000.0, 2)})
        add('yes', a, {'answer': 'yes'})
        first = local_minute(b[0][0], tz)
        add('first', a, {'local': hhmm(first), 'minute': round(first, 2)})
        lf, lt = local_minute(b[-1][0], tz), local_minute(b[-1][1], tz)
        add('last', a, {'bout_from': hhmm(lf), 'bout_to': hhmm(lt), 'from_minute': round(lf, 2),
                        'to_minute': round(lt, 2)})
    for a in sorted(rng.sample(absent, min(ABSENT_PER_SUBJECT, len(absent)))):
        add('no', a, {'answer': 'no'})
    # "What was I doing at H:MM?": whole minutes at least AT_TIME_MARGIN_MS inside a true segment
    # (the longest segments first, one instant per segment, no two instants in the same minute).
    candidates = []
    for s, e, a, _ in segs:
        first_min = -(-(s + AT_TIME_MARGIN_MS) // 60000) * 60000
        inside = list(range(first_min, e - AT_TIME_MARGIN_MS + 1, 60000))
        if inside:
            candidates.append((-(e - s), s, inside, a))
    candidates.sort()
    used = set()
    for _, s, inside, a in candidates:
        if len(used) >= AT_TIME_PER_SUBJECT:
            break
        t = inside[len(inside) // 2]
        if t in used:
            continue
        used.add(t)
        m = local_minute(t, tz)
        add('at_time', a, {'activity': a, 'local': hhmm(m)}, clock=clock_words(m))
    return qs, present


# ------------------------------------------------------------------ scoring

def fact(result, type_):
    for f in (result or {}).get('facts') or []:
        if f.get('type') == type_:
            return f
    return None


def first_word(text):
    w = (text or '').strip().split(':')[0].split()
    return w[0].lower().strip('.,!') if w else ''


def to_minute(local):
    h, m = local.split(':')
    return int(h) * 60 + int(m)


def score(q, result):
    """(right: bool, got: any, note: str)."""
    if result is None:
        return False, None, 'no answer'
    understood = result.get('understood', True)
    kind, exp = q['kind'], q['expected']
    text = result.get('answer', '')
    if kind in ('yes', 'no'):
        word = first_word(text)
        got = word if word in ('yes', 'no') else None
        right = got == exp['answer']
        if not understood:
            unmatched = fact(result, 'unmatched')
            designed_no = kind == 'no' and got == 'no' and unmatched and unmatched.get('words')
            return bool(designed_no), got, 'not understood' + (' (no matching label: counted)' if designed_no else '')
        return right, got, ''
    if not understood:
        # e.g. "0 minutes: nothing in your log matches ..." (never right: every activity asked
        # about with a duration, first or last question happened)
        return False, 0 if text.startswith('0 minutes') else None, 'not understood'
    if kind == 'duration':
        f = fact(result, 'duration')
        if not f:
            return False, None, 'no duration fact'
        got = f.get('minutes')
        tol = max(DURATION_REL_TOL * exp['minutes'], DURATION_ABS_TOL_MIN)
        return got > 0 and abs(got - exp['minutes']) <= tol, got, ''
    if kind in ('first', 'last'):
        f = fact(result, 'time')
        if not f or not f.get('local'):
            return False, None, 'no time' if f else 'no time fact'
        got = f['local']
        m = to_minute(got)
        if kind == 'first':
            return abs(m - exp['minute']) <= TIME_TOL_MIN, got, ''
        return exp['from_minute'] - TIME_TOL_MIN <= m <= exp['to_minute'] + TIME_TOL_MIN, got, ''
    if kind == 'at_time':
        f = fact(result, 'at_time')
        if not f:
            return False, None, 'no at_time fact'
        labels = f.get('labels') or []
        note = 'first named' if labels[:1] == [exp['activity']] else ''
        return exp['activity'] in labels, labels, note
    raise ValueError(kind)


# ------------------------------------------------------------------ the server

class Server:
    def __init__(self, binary, db, model, users, tz, log_path, upload_dir):
        self.tokens = {}
        for user in users:
            out = subprocess.run([binary, 'user', 'add', user, '--tz', tz, '--db', db], capture_output=True, text=True)
            if out.returncode != 0:
                raise InfraError('imu2clip user add %s: %s' % (user, out.stderr.strip()))
            self.tokens[user] = out.stdout.split()[-1]
        cmd = [binary, 'serve', '--db', db, '--port', '0', '--rate-limit', '0', '--upload-dir', upload_dir]
        if model:
            cmd += ['--model', model]
        self.log = open(log_path, 'w')
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.url = None
        for line in self.proc.stdout:
            if 'serving on ' in line:
                self.url = line.split('serving on ', 1)[1].strip().rstrip('/')
                break
        if not self.url:
            self.proc.wait(timeout=10)
            raise InfraError('imu2clip serve did not start (see %s)' % log_path)

    def request(self, user, method, path, body=None, content_type=None, timeout=120):
        headers = {'Authorization': 'Bearer ' + self.tokens[user]}
        if content_type:
            headers['Content-Type'] = content_type
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.loads(resp.read().decode('utf-8'))
        except urllib.error.HTTPError as e:
            raise InfraError('%s %s -> %d %s' % (method, path.split('?')[0], e.code, e.read().decode('utf-8', 'replace')))
        except (urllib.error.URLError, OSError) as e:
            raise InfraError('%s %s: %s' % (method, path.split('?')[0], e))

    def health(self):
        with urllib.request.urlopen(self.url + '/healthz', timeout=30) as resp:
            return json.loads(resp.read().decode('utf-8'))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def import_jsonl(server, user, lines):
    body = ''.join(json.dumps(l) + '\n' for l in lines).encode('utf-8')
    return server.request(user, 'POST', '/v1/logs/import?name=%s.jsonl' % urllib.parse.quote(user), body,
                          'application/x-ndjson')


def ask_all(server, user, qs, as_of, tz):
    out = {}
    for q in qs:
        body = json.dumps({'question': q['question'], 'as_of': as_of, 'tz': tz}).encode('utf-8')
        out[q['id']] = server.request(user, 'POST', '/v1/ask', body, 'application/json')
    return out


# ------------------------------------------------------------------ report

def summarise(questions):
    def empty():
        return {'n': 0, 'raw': 0, 'truth': 0}
    by_ds, by_kind, by_ds_kind = collections.defaultdict(empty), collections.defaultdict(empty), \
        collections.defaultdict(empty)
    by_phrasing = collections.defaultdict(empty)
    overall = empty()
    for q in questions:
        for cell in (by_ds[q['dataset']], by_kind[q['kind']], by_ds_kind['%s/%s' % (q['dataset'], q['kind'])],
                     by_phrasing[q['phrasing']], overall):
            cell['n'] += 1
            cell['raw'] += bool(q['raw']['right'])
            cell['truth'] += bool(q['truth']['right'])
    return {'by_dataset': dict(by_ds), 'by_kind': dict(by_kind), 'by_dataset_kind': dict(by_ds_kind),
            'by_phrasing': dict(sorted(by_phrasing.items())), 'overall': overall}


def pct(a, n):
    return '%d (%.0f %%)' % (a, 100.0 * a / n) if n else '-'


def markdown(summary, datasets, subjects_by_ds):
    lines = ['| dataset | subjects | questions | right from raw IMU | right from true labels |',
             '|---|---:|---:|---:|---:|']
    for ds in datasets:
        c = summary['by_dataset'].get(ds)
        if c:
            lines.append('| %s | %d | %d | %s | %s |' % (ds, subjects_by_ds.get(ds, 0), c['n'], pct(c['raw'], c['n']),
                                                         pct(c['truth'], c['n'])))
    o = summary['overall']
    lines.append('| **all** | %d | %d | **%s** | **%s** |' % (sum(subjects_by_ds.values()), o['n'], pct(o['raw'], o['n']),
                                                               pct(o['truth'], o['n'])))
    lines += ['', '| question type | questions | right from raw IMU | right from true labels |', '|---|---:|---:|---:|']
    for k in KINDS:
        c = summary['by_kind'].get(k)
        if c:
            lines.append('| %s | %d | %s | %s |' % (k, c['n'], pct(c['raw'], c['n']), pct(c['truth'], c['n'])))
    lines.append('| **all** | %d | **%s** | **%s** |' % (o['n'], pct(o['raw'], o['n']), pct(o['truth'], o['n'])))
    lines += ['', 'Right from raw IMU, per dataset and type (right/questions):', '',
              '| dataset | ' + ' | '.join(KINDS) + ' |', '|---|' + '---:|' * len(KINDS)]
    for ds in datasets:
        if ds not in summary['by_dataset']:
            continue
        cells = []
        for k in KINDS:
            c = summary['by_dataset_kind'].get('%s/%s' % (ds, k))
            cells.append('%d/%d' % (c['raw'], c['n']) if c else '-')
        lines.append('| %s | %s |' % (ds, ' | '.join(cells)))
    lines += ['', 'By phrasing ("yes/k" covers the yes and no questions):', '',
              '| phrasing | template | questions | right from raw IMU | right from true labels |',
              '|---|---|---:|---:|---:|']
    for key, c in summary['by_phrasing'].items():
        kind, k = key.split('/')
        lines.append('| %s | %s | %d | %s | %s |' % (key, PHRASINGS[kind][int(k)], c['n'], pct(c['raw'], c['n']),
                                                    pct(c['truth'], c['n'])))
    return '\n'.join(lines)


# ------------------------------------------------------------------ main

def default_binary():
    return os.environ.get('IMU2CLIP_BIN') or os.path.join(REPO, 'build', 'services', 'cli', 'imu2clip')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--bin', default=default_binary(), help='imu2clip binary')
    ap.add_argument('--model', default=None, help='model bundle (default: the server\'s default, the embedded one)')
    ap.add_argument('--data', default=os.path.join(os.path.dirname(REPO), 'shared', 'data', 'imu'))
    ap.add_argument('--vocabulary', default=os.path.join(REPO, 'models', 'vocabulary'),
                    help='folder with label_map.tsv and activities.txt')
    ap.add_argument('--out', default=None, help='output folder (default: a new temp folder)')
    ap.add_argument('--json', action='store_true', help='print the summary as JSON instead of markdown')
    ap.add_argument('--seed', type=int, default=8)
    ap.add_argument('--split', default='test',
                    help="whose days: the subjects of this manifest split (val while choosing a model or a threshold)")
    ap.add_argument('--max-minutes', type=float, default=60.0, help='signal minutes per subject-day (cap)')
    ap.add_argument('--datasets', default=','.join(DATASETS))
    ap.add_argument('--tz', default='America/Los_Angeles')
    ap.add_argument('--date', default='2026-03-18', help='the local date of every day')
    ap.add_argument('--job-timeout', type=float, default=1800.0, help='seconds to wait for all upload jobs')
    ap.add_argument('--plain', action='store_true', help='ask every question in its first (plainest) phrasing')
    ap.add_argument('--keep', action='store_true', help='keep the databases and day files in --out')
    args = ap.parse_args()

    t_start = time.time()
    if not os.path.exists(args.bin):
        print('imu2clip binary not found at %s (build it, or pass --bin)' % args.bin, file=sys.stderr)
        return 1
    out_dir = args.out or tempfile.mkdtemp(prefix='imu2clip_e2e_')
    os.makedirs(out_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix='work_', dir=out_dir)
    tz_name, tz = args.tz, zoneinfo.ZoneInfo(args.tz)
    day = datetime.date.fromisoformat(args.date)
    day_start = datetime.datetime(day.year, day.month, day.day, 8, 0, tzinfo=tz)
    day_start_ms = int(day_start.timestamp() * 1000)
    day_begin = datetime.datetime(day.year, day.month, day.day, tzinfo=tz)
    day_end = day_begin + datetime.timedelta(days=1)
    as_of = '%sT23:59:59' % args.date

    label_map = read_label_map(os.path.join(args.vocabulary, 'label_map.tsv'))
    activities = read_activities(os.path.join(args.vocabulary, 'activities.txt'))
    log_map, conflicts = phrase_map(label_map)
    datasets = [d for d in args.datasets.split(',') if d]

    # ---- the days
    subjects = []
    for ds in datasets:
        if not os.path.exists(os.path.join(args.data, ds, 'manifest.json')):
            print('skipping %s: no %s/manifest.json' % (ds, os.path.join(args.data, ds)), file=sys.stderr)
            continue
        root, manifest, labels, by_subject = load_dataset(args.data, ds, args.split)
        for subject in sorted(by_subject):
            key = '%s-%s' % (ds, subject)
            rng = random.Random('%d:%s' % (args.seed, key))
            placed = plan_day(by_subject[subject], rng, args.max_minutes)
            day_path = os.path.join(work, key + '.csv.gz')
            rows = write_day_csv(root, placed, day_path)
            segs, unmapped = build_schedule(placed, labels, ds, label_map, day_start_ms)
            qs, present = make_questions(key, segs, activities, rng, tz, args.plain)
            for q in qs:
                q['dataset'], q['subject'] = ds, subject
            subjects.append({
                'dataset': ds, 'subject': subject, 'user': key, 'day_file': day_path, 'rows': rows,
                'recordings': [{'id': r['id'], 'start': hhmm(local_minute(day_start_ms + off, tz)),
                                'end': hhmm(local_minute(day_start_ms + off + r['duration_s'] * 1000, tz)),
                                'duration_s': r['duration_s']} for r, off in placed],
                'signal_minutes': round(sum(r['duration_s'] for r, _ in placed) / 60.0, 2),
                'schedule': [{'from': datetime.datetime.fromtimestamp(s / 1000, tz).isoformat(timespec='seconds'),
                              'duration_s': round((e - s) / 1000.0, 1), 'activity': a, 'source_label': l}
                             for s, e, a, l in segs],
                'segments': segs, 'unmapped_labels': dict(unmapped), 'present': present, 'questions': qs})
            print('%s: %d recordings, %.1f signal min, %d rows, %d true segments, %d questions' %
                  (key, len(placed), subjects[-1]['signal_minutes'], rows, len(segs), len(qs)), file=sys.stderr)
    if not subjects:
        print('no test subjects found under %s' % args.data, file=sys.stderr)
        return 1
    t_prepared = time.time()

    raw_db, truth_db = os.path.join(work, 'raw.db'), os.path.join(work, 'truth.db')
    users = [s['user'] for s in subjects]
    raw = truth = None
    status = 0
    try:
        # ---- raw IMU: upload every day (the server tags them one after another in the background)
        raw = Server(args.bin, raw_db, args.model, users + [u + '.mapped' for u in users], tz_name,
                     os.path.join(out_dir, 'server_raw.log'), os.path.join(work, 'uploads'))
        health = raw.health()
        print('raw server %s, model %s' % (raw.url, health.get('model_id')), file=sys.stderr)
        start_iso = day_start.isoformat()
        for s in subjects:
            with open(s['day_file'], 'rb') as f:
                body = f.read()
            path = '/v1/recordings?%s' % urllib.parse.urlencode(
                {'start': start_iso, 'name': s['user'] + '-day.csv.gz', 'device': 'phone', 'tz': tz_name})
            s['job_id'] = raw.request(s['user'], 'POST', path, body, 'application/octet-stream')['job_id']
        t_uploaded = time.time()

        # ---- true labels: import the schedule, ask (while the raw server tags)
        truth = Server(args.bin, truth_db, args.model, users, tz_name, os.path.join(out_dir, 'server_truth.log'),
                       os.path.join(work, 'uploads_truth'))
        for s in subjects:
            lines = [{'t': round(a / 1000.0, 3), 'duration_s': round((b - a) / 1000.0, 3), 'labels': [act],
                      'modality': 'imu'} for a, b, act, _ in s['segments']]
            s['truth_import'] = import_jsonl(truth, s['user'], lines)
            s['truth_answers'] = ask_all(truth, s['user'], s['questions'], as_of, tz_name)
        truth.stop()
        truth = None
        t_truth = time.time()

        # ---- wait for the tagger
        deadline = time.time() + args.job_timeout
        pending = {s['job_id']: s for s in subjects}
        while pending:
            for job_id, s in list(pending.items()):
                st = raw.request(s['user'], 'GET', '/v1/jobs/%d' % job_id)
                if st['state'] == 'done':
                    s['job'] = st
                    del pending[job_id]
                elif st['state'] == 'failed':
                    raise InfraError('upload job of %s failed: %s' % (s['user'], st.get('error')))
            if pending:
                if time.time() > deadline:
                    raise InfraError('upload jobs still pending after %.0f s' % args.job_timeout)
                time.sleep(1.0)
        t_tagged = time.time()

        # ---- the tagged logs; map the old model's dataset phrases to everyday activities
        vocab = set(activities) | {UNCLEAR}
        q_from = urllib.parse.quote(day_begin.isoformat())
        q_to = urllib.parse.quote(day_end.isoformat())
        for s in subjects:
            log = raw.request(s['user'], 'GET', '/v1/logs?from=%s&to=%s&limit=100000' % (q_from, q_to))
            entries = log['entries']
            if log.get('truncated'):
                raise InfraError('log of %s truncated' % s['user'])
            raw_labels = collections.Counter()
            for e in entries:
                raw_labels[e['text']] += e['duration_s']
            s['raw_log_seconds'] = {k: round(v, 1) for k, v in raw_labels.most_common()}
            s['mapped'] = any(l not in vocab for l in raw_labels)
            s['ask_user'] = s['user']
            if s['mapped']:
                lines, mapped_seconds = [], collections.Counter()
                for e in entries:
                    label = e['text']
                    if label in log_map:
                        label = log_map[label] or UNCLEAR
                    mapped_seconds[label] += e['duration_s']
                    lines.append({'t': round(e['t_utc_ms'] / 1000.0, 3), 'duration_s': e['duration_s'],
                                  'labels': [label], 'modality': e.get('modality') or 'imu'})
                s['mapped_log_seconds'] = {k: round(v, 1) for k, v in mapped_seconds.most_common()}
                s['ask_user'] = s['user'] + '.mapped'
                if lines:
                    s['mapped_import'] = import_jsonl(raw, s['ask_user'], lines)
            s['raw_answers'] = ask_all(raw, s['ask_user'], s['questions'], as_of, tz_name)
        t_asked = time.time()
    except InfraError as e:
        print('infrastructure error: %s' % e, file=sys.stderr)
        status = 1
    finally:
        for srv in (raw, truth):
            if srv:
                srv.stop()
    if status:
        return status

    # ---- score and write
    questions = []
    for s in subjects:
        for q in s['questions']:
            rec = dict(q)
            for side, answers in (('raw', s['raw_answers']), ('truth', s['truth_answers'])):
                r = answers.get(q['id'])
                right, got, note = score(q, r)
                rec[side] = {'right': right, 'got': got, 'note': note, 'answer': (r or {}).get('answer'),
                             'understood': (r or {}).get('understood'), 'facts': (r or {}).get('facts'),
                             'evidence': (r or {}).get('evidence')}
            questions.append(rec)
    summary = summarise(questions)
    subjects_by_ds = collections.Counter(s['dataset'] for s in subjects)
    runtime = time.time() - t_start
    not_understood = {side: sum(1 for q in questions if q[side]['understood'] is False) for side in ('raw', 'truth')}
    timing = {'prepare_s': round(t_prepared - t_start, 1), 'upload_s': round(t_uploaded - t_prepared, 1),
              'truth_import_and_ask_s': round(t_truth - t_uploaded, 1), 'wait_for_tagger_s': round(t_tagged - t_truth, 1),
              'raw_map_and_ask_s': round(t_asked - t_tagged, 1), 'total_s': round(runtime, 1)}
    signal_min = sum(s['signal_minutes'] for s in subjects)
    result = {
        'config': {'bin': args.bin, 'model': args.model or '(server default: embedded)', 'model_id': health.get('model_id'),
                   'server_version': health.get('version'), 'data': os.path.abspath(args.data), 'seed': args.seed,
                   'max_minutes': args.max_minutes, 'tz': tz_name, 'date': args.date, 'as_of': as_of,
                   'tolerances': {'duration': 'max(%d %%, %g min)' % (DURATION_REL_TOL * 100, DURATION_ABS_TOL_MIN),
                                  'time_min': TIME_TOL_MIN, 'bout_gap_min': BOUT_GAP_MS / 60000,
                                  'at_time_margin_s': AT_TIME_MARGIN_MS / 1000},
                   'label_map_conflicts': conflicts},
        'timing': timing, 'signal_minutes': round(signal_min, 1), 'not_understood': not_understood,
        'summary': summary,
        'subjects': [{k: v for k, v in s.items() if k not in ('segments', 'questions', 'raw_answers', 'truth_answers',
                                                               'day_file')} for s in subjects],
        'questions': questions,
    }
    with open(os.path.join(out_dir, 'results.json'), 'w') as f:
        json.dump(result, f, indent=1)
    table = markdown(summary, datasets, subjects_by_ds)
    header = ('imu2clip end-to-end: %d subjects, %.0f min of real IMU, %d questions; model %s; runtime %.0f s '
              '(tagging wait %.0f s); not understood: raw %d, truth %d' %
              (len(subjects), signal_min, len(questions), health.get('model_id'), runtime, timing['wait_for_tagger_s'],
               not_understood['raw'], not_understood['truth']))
    with open(os.path.join(out_dir, 'summary.md'), 'w') as f:
        f.write(header + '\n\n' + table + '\n')
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps({'summary': summary, 'timing': timing, 'not_understood': not_understood,
                          'model_id': health.get('model_id'), 'results': os.path.join(out_dir, 'results.json')}, indent=1))
    else:
        print(header + '\n')
        print(table)
        print('\nfiles: %s' % out_dir)
    return 0


if __name__ == '__main__':
    sys.exit(main())
