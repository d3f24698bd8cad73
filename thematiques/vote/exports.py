"""CSV and XLSX exports of a campaign's results (ballots are exported by the admin's list export)."""
import csv
import io

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import Campaign

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def results_table(campaign: Campaign) -> tuple[list[str], list[list]]:
    """Header and rows: one row per thématique (most voted first), then the totals."""
    results = campaign.results_summary()
    header = [_("Thématique"), _("Votes"), _("Part (%)"), _("En attente de modération"),
              _("Résultats saisis manuellement"), _("Date du décompte")]
    rows = [[r.label, r.count, r.percent, r.pending, _("oui") if r.manual else _("non"),
             r.manual_date.isoformat() if r.manual_date else ""] for r in results.rows]
    rows.append([_("Total"), results.total_votes, 100 if results.total_votes else 0, results.pending_collectivites, "", ""])
    rows.append([_("Collectivités votantes confirmées"), results.collectivites, "", "", "", ""])
    rows.extend([[_("Échelon : %(label)s") % {"label": label}, n, "", "", "", ""] for label, n in results.echelons])
    return header, rows


def _filename(campaign: Campaign, ext: str) -> str:
    return f"resultats-{slugify(campaign.title) or campaign.pk}.{ext}"


def csv_response(filename: str, header, rows) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename: str, title: str, header, rows) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([str(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([str(v) if not isinstance(v, (int, float)) else v for v in row])
    sheet.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def results_csv(campaign: Campaign) -> HttpResponse:
    header, rows = results_table(campaign)
    return csv_response(_filename(campaign, "csv"), header, rows)


def results_xlsx(campaign: Campaign) -> HttpResponse:
    header, rows = results_table(campaign)
    return xlsx_response(_filename(campaign, "xlsx"), _("Résultats"), header, rows)
