"""The domain core: round specs, paper ballots, the tally and code generation.

Plain Python only.  Nothing in this package imports Flask or SQLAlchemy, so
plugins and scripts can use it directly and it is tested without an app.
"""
