#!/usr/bin/env python3
"""Compares `imu2clip tokenize --json` with CLIP's own tokenizer code (clip/simple_tokenizer.py, MIT,
Copyright (c) 2021 OpenAI, reproduced below without ftfy, whose repair the C++ port skips) on random
strings built to hit the corner cases: HTML references, Unicode letters / numbers / whitespace,
Python's lowercasing (final sigma, U+0130), contractions, special tokens. Needs the `regex` module.

Usage: python3 scripts/clip_tokenizer_fuzz.py IMU2CLIP_BINARY VOCAB.txt.gz [SEED] [CASES]
Prints the mismatches (at most 10) and exits 1 when there are any.
"""
import gzip, html, json, random, subprocess, sys
import regex as re
from functools import lru_cache
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~")+1))+list(range(ord("¡"), ord("¬")+1))+list(range(ord("®"), ord("ÿ")+1))
    cs = bs[:]; n = 0
    for b in range(2**8):
        if b not in bs: bs.append(b); cs.append(2**8+n); n += 1
    return dict(zip(bs, [chr(n) for n in cs]))
def get_pairs(word):
    return set(zip(word[:-1], word[1:]))
def basic_clean(text):
    text = html.unescape(html.unescape(text)); return text.strip()
def whitespace_clean(text):
    return re.sub(r'\s+', ' ', text).strip()
class T:
    def __init__(self, path):
        self.byte_encoder = bytes_to_unicode()
        merges = gzip.open(path).read().decode("utf-8").split('\n')
        merges = merges[1:49152-256-2+1]
        merges = [tuple(m.split()) for m in merges]
        vocab = list(bytes_to_unicode().values()); vocab = vocab + [v+'</w>' for v in vocab]
        for m in merges: vocab.append(''.join(m))
        vocab.extend(['<|startoftext|>', '<|endoftext|>'])
        self.encoder = dict(zip(vocab, range(len(vocab))))
        self.bpe_ranks = dict(zip(merges, range(len(merges))))
        self.cache = {'<|startoftext|>': '<|startoftext|>', '<|endoftext|>': '<|endoftext|>'}
        self.pat = re.compile(r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""", re.IGNORECASE)
    def bpe(self, token):
        if token in self.cache: return self.cache[token]
        word = tuple(token[:-1]) + ( token[-1] + '</w>',)
        pairs = get_pairs(word)
        if not pairs: return token+'</w>'
        while True:
            bigram = min(pairs, key = lambda pair: self.bpe_ranks.get(pair, float('inf')))
            if bigram not in self.bpe_ranks: break
            first, second = bigram; new_word = []; i = 0
            while i < len(word):
                try:
                    j = word.index(first, i); new_word.extend(word[i:j]); i = j
                except: new_word.extend(word[i:]); break
                if word[i] == first and i < len(word)-1 and word[i+1] == second: new_word.append(first+second); i += 2
                else: new_word.append(word[i]); i += 1
            word = tuple(new_word)
            if len(word) == 1: break
            pairs = get_pairs(word)
        word = ' '.join(word); self.cache[token] = word; return word
    def encode(self, text):
        bpe_tokens = []
        text = whitespace_clean(basic_clean(text)).lower()
        for token in re.findall(self.pat, text):
            token = ''.join(self.byte_encoder[b] for b in token.encode('utf-8'))
            bpe_tokens.extend(self.encoder[bpe_token] for bpe_token in self.bpe(token).split(' '))
        return bpe_tokens
binary, vocab = sys.argv[1], sys.argv[2]
t = T(vocab)
random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
n_cases = int(sys.argv[4]) if len(sys.argv) > 4 else 4000
pieces = ["&amp;", "&lt", "&#39;", "&#x1F600;", "&notin", "&notit;", "&#128;", "&#0;", "&", "#", ";", "'s", "'LL", "'d", " ", "\t", "\n", "\u00a0", "\u3000", "\x1c",
          "ΣΑΣ", "Σ", "İ", "ß", "ǅ", "Ⅻ", "²", "½", "٣", "中文", "😀", "é", "e\u0301", "<|endoftext|>", "<|startoftext|>", "walking", "Upstairs", "don't", "CamelCase", "123", "!!", "...", "a.b", "x", "&AMP", "&quot;", "&nbsp;", "&Aacute", "&aacute;x", "&#xD800;", "&#99999999;", "ﬁ", "Ω", "ΐ", "Ⓐ", "ⓐ", "\u0345", "K", "ſ", "İstanbul", "ǈ", "ᾈ"]
cases = []
for _ in range(n_cases * 3 // 4):
    cases.append(''.join(random.choice(pieces) for _ in range(random.randint(0, 8))))
for _ in range(n_cases // 4):
    cases.append(''.join(chr(random.choice([random.randint(32, 0x24F), random.randint(0x370, 0x4FF), random.randint(0x2000, 0x2BFF), random.randint(0x3000, 0x9FFF), random.randint(0x10000, 0x1FFFF)])) for _ in range(random.randint(0, 12))))
cases = [c for c in cases if not any(0xD800 <= ord(ch) <= 0xDFFF for ch in c)]
# A leading '-' would read as an option; the texts go after "--".
out = []
for start in range(0, len(cases), 500):
    chunk = cases[start:start + 500]
    r = subprocess.run([binary, 'tokenize', '--vocab', vocab, '--json', '--'] + chunk, capture_output=True)
    if r.returncode != 0:
        sys.exit('imu2clip tokenize failed: ' + r.stderr.decode(errors='replace'))
    out += [json.loads(line) for line in r.stdout.decode().split('\n') if line]  # not splitlines: U+2028 is text
bad = 0
for c, o in zip(cases, out):
    ref = t.encode(c)
    if o['text'] != c or o['ids'] != ref:
        bad += 1
        if bad <= 10:
            print('MISMATCH', repr(c), 'clip:', ref, 'imu2clip:', o['ids'])
print(len(cases), 'cases,', bad, 'mismatches')
sys.exit(1 if bad or len(out) != len(cases) else 0)
