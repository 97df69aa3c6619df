"""Hook specifications: everything a surveyapp plugin can add.

A plugin is a module (or object) with functions named after these hooks,
each marked ``@hookimpl`` (``from surveyapp.hookspecs import hookimpl``).
Installed packages register plugins through the entry-point group
``surveyapp``; ``docs/plugins.md`` has an example for every hook and a
tutorial.  Hook wrappers are not supported: implementations are called one by
one (see :mod:`surveyapp.plugins`) so that a failure names its plugin.

Hooks receive plain data (:class:`surveyapp.domain.model.RoundSpec`, dicts
shaped like the tally JSON with exact ``Fraction`` scores), never database
rows, so a plugin is tested without an app.  Parameters may be left out of
an implementation's signature; pluggy passes only those it names.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("surveyapp")
hookimpl = pluggy.HookimplMarker("surveyapp")


# -- registries: called once at start-up, so a broken plugin fails early ---------

@hookspec
def grade_scales():
    """Named grade scales.

    Return ``{name: [option, ...]}`` where an option is a mapping
    ``{"key", "label", "points"?}`` as in a spec's ``[scale] options``.  A spec
    (or template) may then say ``scale = "name"``.
    """


@hookspec
def criteria_sets():
    """Named criteria sets.

    Return ``{name: [criterion, ...]}`` where a criterion is a mapping
    ``{"key", "label", "weight"?, "description"?, "items"?}`` as in
    ``[[criteria]]``; ``items`` are its sub-items ``{"key", "label",
    "points"}`` (the 四强/四优 indicator tree).  A
    spec (or template) may then say ``criteria = "name"``.
    """


@hookspec
def round_templates():
    """Round templates.

    Return ``{name: spec_mapping}``.  A spec saying ``template = "name"`` is
    merged over the mapping: keys it lacks come from the template, and
    ``rules`` merge key by key.  A template may name a scale or criteria set.
    """


@hookspec
def campaign_standards():
    """Default standards (评比标准) of campaigns whose rounds use a template.

    Return ``{template_name: {"label", "score"?, "criteria"?, "groups"?}}``:
    what a subject meeting it is proposed as, and the floors it must reach
    (its score, every criterion's score, named groups' scores, e.g.
    ``{"masses": 85}``).  A campaign spec's ``[standard]`` overrides them key
    by key.  Floors are absolute, never a quota: a weak year proposes nobody.
    """


@hookspec
def register_exporters():
    """Tally export formats.

    Return a list of :class:`surveyapp.exporters.Exporter`.  Its ``name`` is
    what ``surveyapp tally --format`` takes; a later plugin may replace an
    earlier exporter by reusing its name.
    """


@hookspec
def rule_names():
    """The ``[rules]`` settings this plugin reads.

    Return ``{name: description}``, one entry per top-level key of
    ``spec.rules`` the plugin looks at.  Instead of a description a name may
    map to a table ``{"help": str, "type": kind, "default": value,
    "choices": [...]}`` (kinds: number, share, boolean, choice, options,
    list, table, value; see ``domain/rule_settings.py``), so the console
    offers the setting with a fitting input and shows its default.  A round
    (or template) setting a rule that no plugin declares is refused, with the closest declared name
    suggested: a misspelt ``excelent_quota`` must not leave a quota silently
    unapplied.  Declaring a name another plugin also declares is fine.
    """


# -- ballots, scores, classification ----------------------------------------------

@hookspec
def validate_ballot(spec, answers, group):
    """Check one ballot before it is stored.

    ``answers`` maps ``(subject_key, criterion_key)`` to an option key (None
    for a blank).  ``group`` is the voter group's key (None if not known);
    its ballot holds only ``spec.rated(group)``, the subjects it rates
    (评价关系), and a paper ballot may leave one of those out altogether
    (本人不评): that subject is then not in ``answers`` at all.

    Return a list of ``(subject_key | None, message)``; the web shows each
    message next to that subject (or at the top for None) and
    stores nothing.  Read limits from ``spec.rules`` so they stay settings.
    """


@hookspec(firstresult=True)
def score_subject(spec, subject):
    """The score of one subject, replacing the default.

    ``subject`` is the tally entry (``groups``, ``criteria`` with exact
    Fraction scores; a suppressed group's breakdown is None).  Return an
    ``int`` or ``Fraction`` (a float is refused: scores are exact), or None
    to leave it to the next plugin; the built-in plugin answers last with the
    group-weighted mean.
    """


@hookspec
def classify_subjects(spec, result):
    """Proposals and flags for the committee, after scoring and ranking.

    ``result`` is the whole tally (``turnout`` and ranked ``subjects``).
    Return ``{subject_key: {"proposal": option_key | None, "flags": [str]}}``
    (both keys optional), and ``{None: {"flags": [...]}}`` for flags about
    the round.  Flags from every plugin are kept; the first plugin whose
    verdict has a "proposal" key decides it, even as None (a tie left to the
    committee).  Proposals are advice: 不能简单地以票取人.
    """


# -- lifecycle ------------------------------------------------------------------------

@hookspec
def round_event(event, round, spec):
    """A round changed state, after the change was committed.

    ``event`` is one of ``"created"``, ``"opened"``, ``"closed"``,
    ``"counted"``, ``"published"``, ``"unpublished"``; ``round`` is ``{"slug", "title",
    "status"}``.  An exception here is logged with the plugin's name and does
    not undo the change; the other plugins are still told.
    """
