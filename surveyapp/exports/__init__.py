"""Results as people read them: the summary table every view shares
(:mod:`.summary`), flag wording (:mod:`.flags`) and the XLSX and PDF files
(:mod:`.xlsx`, :mod:`.pdf`).  The exporter protocol and the built-in list
stay in :mod:`surveyapp.exporters`.

Nothing here imports Flask: exporters run from the command line and from
plugins' tests as well as from the web.
"""
