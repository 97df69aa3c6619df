"""How long the disclosure auditor takes on rounds a branch really runs.

Run: .venv/bin/python bench/disclosure.py [--rounds 5] [--subjects 30]

Each round: 党员 25, 群众 12, 支委 3 ballots (weights 40/30/30, unlike the
ballot shares), anonymity_min 5, a four-grade scale with 不了解, random
answers skewed to the top grades as real ones are; the party-member
template's rules (bands, quota, review share) through the real plugins.
Prints, per round, the seconds disclose() took and the levels it chose, and
the plain tally's time in the same run as the baseline.  Counting runs this
once per round; the target is that it stays a small part of the count.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--subjects", type=int, default=30)
    args = parser.parse_args()

    from surveyapp import create_app, plugins
    from surveyapp.domain import disclosure
    from surveyapp.domain.model import OVERALL, Counts
    from surveyapp.domain.spec import parse_spec

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "bench",
                      "BALLOT_KITS": 0})
    groups = {"members": (25, 40), "masses": (12, 30), "committee": (3, 30)}
    text = ('title = "测评"\ntemplate = "party-member-appraisal"\nanonymity_min = 5\n'
            'scale = "four-grade-with-unknown"\n'
            + "".join(f'[[groups]]\nkey = "{g}"\nlabel = "{g}"\nweight = {w}\n'
                      for g, (_n, w) in groups.items())
            + "".join(f'[[subjects]]\nkey = "s{i}"\nname = "成员{i}"\n'
                      for i in range(args.subjects)))
    with app.app_context():
        spec = parse_spec(text, **plugins.spec_context())
        options = [o.key for o in spec.options]
        timings, baselines = [], []
        for seed in range(args.rounds):
            rng = random.Random(seed)
            counts = Counts()
            for group, (n, _w) in groups.items():
                for _ in range(n):
                    counts.add_ballot(group, {
                        (s.key, OVERALL): rng.choices(options, weights=[5, 8, 2, 1, 1])[0]
                        for s in spec.subjects})
            start = time.perf_counter()
            plugins.tally(spec, counts)
            baselines.append(time.perf_counter() - start)
            start = time.perf_counter()
            shown = disclosure.disclose(spec, counts, counts, plugins.tally)
            timings.append(time.perf_counter() - start)
            levels = sorted(shown.levels.values())
            print(f"round {seed}: disclose {timings[-1]:.2f} s; levels "
                  + ", ".join(f"{disclosure.LEVELS[v]}×{levels.count(v)}"
                              for v in sorted(set(levels))))
        print(f"plain tally (baseline): median {statistics.median(baselines) * 1000:.1f} ms")
        print(f"disclose: median {statistics.median(timings):.2f} s, "
              f"max {max(timings):.2f} s for {args.subjects} subjects")


if __name__ == "__main__":
    main()
