// Times Hypothesis's quote matcher (approx-string-match's `search`, as the Hypothesis client calls it)
// for bench/bench_fuzzy_anchoring.py, which talks to it one JSON line at a time on standard input:
//   {"texts": ["...", ...]}                                        the texts, sent once
//   {"text": 0, "pattern": "...", "maxErrors": 30, "repeats": 5}   one quote: answered on one line
// with its times in milliseconds and the matches found, offsets in code points (JavaScript counts
// UTF-16 units; Argmap counts code points). The bench sends quotes one by one between its own
// timings, so that other work on the machine weighs on both alike.
import { createInterface } from "node:readline";
import { performance } from "node:perf_hooks";
import search from "approx-string-match";

let texts = [];

function codePoints(text, offset) {
  return Array.from(text.slice(0, offset)).length;
}

function timed({ text: index, pattern, maxErrors, repeats }) {
  const text = texts[index];
  const times = [];
  let matches = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    matches = search(text, pattern, maxErrors);
    times.push(performance.now() - started);
  }
  return {
    times,
    matches: matches.map((m) => ({ start: codePoints(text, m.start), end: codePoints(text, m.end), errors: m.errors })),
  };
}

for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line);
  if (request.texts) {
    texts = request.texts;
    process.stdout.write("{}\n");
  } else {
    process.stdout.write(JSON.stringify(timed(request)) + "\n");
  }
}
