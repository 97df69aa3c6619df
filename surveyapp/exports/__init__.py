"""Results as people read them: the summary table every view shares
(:mod:`.summary`), flag wording (:mod:`.flags`) and the XLSX and PDF files
(:mod:`.xlsx`, :mod:`.pdf`).  The exporter protocol and the built-in list
are :mod:`.exporter`; JSON and CSV are :mod:`.tabular`.  Charts and the QR
slips (with their codes CSV) live here too: everything a person takes away.

Nothing here imports Flask: exporters run from the command line and from
plugins' tests as well as from the web.
"""

from .exporter import Exporter
from .pdf import export_pdf
from .tabular import export_csv, export_json
from .xlsx import export_xlsx

BUILTIN = [
    Exporter("json", "application/json", "json", export_json, "JSON"),
    Exporter("csv", "text/csv; charset=utf-8", "csv", export_csv, "CSV"),
    Exporter("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "xlsx", export_xlsx, "Excel", comments=True, decisions=True),
    Exporter("pdf", "application/pdf", "pdf", export_pdf, "PDF", comments=True,
             decisions=True),
]

__all__ = ["BUILTIN", "Exporter"]
