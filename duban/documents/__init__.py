"""Documents the office sends out, generated from plain data: .docx in the 党政机关公文格式
(GB/T 9704-2012) and .xlsx tables. No Django here: callers pass the dataclasses of
:mod:`duban.documents.model` and get bytes back.

    from duban.documents import division_table_docx, PlanMeta, DivisionRow
    data = division_table_docx(PlanMeta("西山区2021年政务公开工作要点分工方案"), rows)
"""
from .docx_docs import (
    annual_report_section_docx,
    assessment_docx,
    bulletin_docx,
    division_table_docx,
    unit_task_list_docx,
)
from .model import (
    AnnualSection,
    AnnualTaskRow,
    AssessmentRow,
    AssessmentTable,
    BulletinData,
    DivisionRow,
    Figures,
    NamedUnit,
    OverdueItem,
    PlanMeta,
    UnitStat,
    UnitTaskList,
    UnitReport,
    UnitTaskRow,
)
from .xlsx_docs import (
    annual_report_section_xlsx,
    assessment_xlsx,
    bulletin_xlsx,
    division_table_xlsx,
    keep_as_text,
    unit_file_name,
    unit_task_list_xlsx,
    unit_task_lists_zip,
)

__all__ = [
    "annual_report_section_docx", "assessment_docx", "bulletin_docx", "division_table_docx",
    "unit_task_list_docx", "annual_report_section_xlsx", "assessment_xlsx", "bulletin_xlsx",
    "division_table_xlsx", "unit_task_list_xlsx", "unit_task_lists_zip", "unit_file_name", "keep_as_text",
    "AnnualSection", "AnnualTaskRow", "AssessmentRow", "AssessmentTable", "BulletinData",
    "DivisionRow", "Figures", "NamedUnit", "OverdueItem", "PlanMeta", "UnitStat", "UnitTaskList",
    "UnitReport", "UnitTaskRow",
]
