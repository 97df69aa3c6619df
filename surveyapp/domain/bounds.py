"""The stated bounds on what one input may hold, checked before the work it
would cause starts, so that no file, form or spec, whoever sends it, can
keep a worker busy for long or grow its memory much (README, "Limits").

Each is sized well above what a real round needs: a 党支部 of a few dozen
members, a 群众评议 of a few hundred people, a roster exported from a
personnel system with a few dozen columns.
"""

from __future__ import annotations

#: People one round appraises (more than a phone's ballot page is good for).
SUBJECTS_MAX = 300
#: Criteria, voter groups and grades of one round.
CRITERIA_MAX = 20
GROUPS_MAX = 50
OPTIONS_MAX = 12
#: Positions one sealed ballot holds: subjects × criteria × (grades + blank),
#: e.g. 300 people on a 5-grade scale, or 100 people × 5 criteria.  Sealing
#: costs ~0.18 ms and ~300 bytes a position, so the largest ballot seals in
#: about half a second and is stored in under 1 MB.
BALLOT_POSITIONS_MAX = 3000
#: Commitment items (承诺事项) of one subject, and characters of one item.
COMMITMENTS_MAX = 10
COMMITMENT_MAX = 200
#: Characters of a subject's name and unit, and of a label or description.
NAME_MAX = 100
UNIT_MAX = 200
LABEL_MAX = 200
DESCRIPTION_MAX = 1000

#: Bytes of a spec, a table or a paper-ballot file as stored (an upload is
#: held to the request's size too).
FILE_BYTES_MAX = 2 * 1024 * 1024
#: Bytes an XLSX workbook may hold once decompressed, all its parts together
#: (a roster of 300 people with 30 columns is well under 1 MB), and how many parts.
XLSX_UNCOMPRESSED_MAX = 8 * 1024 * 1024
XLSX_PARTS_MAX = 100
#: Columns read from a table; cells further right are not read.
TABLE_COLUMNS_MAX = 64
#: Rows of one paper-ballot CSV (one row per answer).
PAPER_ROWS_MAX = 20_000
#: Positions one request may seal: every paper ballot of an import is sealed
#: whole, so a file holds at most this many positions' worth of ballots
#: (250 ballots of 20 people on a 5-grade scale), about 5 s of work.  A
#: bigger pile is imported in several files, each all or nothing.
SEALED_POSITIONS_MAX = 30_000
#: Ballots × positions the console opens in one request (开箱计票 adds up
#: every position of every ballot, ~12 µs each): about 5 s.  A larger round
#: is counted with `surveyapp rounds count`, which has no such bound.
CONSOLE_COUNT_MAX = 400_000
#: How deeply tables and arrays may nest in a spec (a real one nests 3 deep).
SPEC_NESTING_MAX = 8
#: Problems listed for one input; beyond, they are summarised.
ERRORS_MAX = 100
