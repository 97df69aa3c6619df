"""Services: every job surveyapp does with the database, one function per
job, shared by the web console and the command line.

They take plain values and rows, never a request: whoever acts is passed in
as ``actor`` (a user name, or "cli"), and they commit their own work.  Errors
a person can fix come back as :class:`surveyapp.services.errors.ServiceError`
subclasses whose English template and params the web translates.
"""
