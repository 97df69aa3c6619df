"""The version of surveyapp, where every layer may read it."""

__version__ = "0.1.0"
