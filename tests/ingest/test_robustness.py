"""Whatever rows a reader hands over, the parser returns a plan or a Chinese IngestError, never a crash.

Seeded random documents built from the pieces real plans are made of (header words, numbers,
headings, units clauses, deadlines, dates that cannot be), in random orders and widths.
"""
import random

from duban.ingest import IngestError
from duban.ingest.deadline import parse_deadline
from duban.ingest.readers import RawDocument, Row
from duban.ingest.table import build_plan
from duban.ingest.units import parse_units

PIECES = [
    "序号", "工作任务", "具体要求", "牵头单位", "责任单位", "完成时限", "备注", "1", "2", "2.1", "1.", "（1）",
    "一、推进", "（一）公开", "第一部分", "区财政局牵头；各街道办事处负责落实", "区政府各办、局", "（区金融办）",
    "区卫健局（牵头）", "牵头单位：区财政局；完成时限：年底前", "10月31日前", "长期坚持", "每季度", "2月30日", "13月",
    "文件成文后20个工作日内", "二〇二一年十月底前", "主动公开规划。", "抄送：", "2021年8月12日", "西政办通〔2021〕51号", "\n", "", "",
]


def random_document(rng: random.Random) -> RawDocument:
    rows = []
    for _ in range(rng.randint(0, 12)):
        table = rng.choice([None, 0, 0, 0, 1])
        width = 1 if table is None else rng.randint(1, 7)
        cells = [rng.choice(PIECES) + rng.choice(["", "", rng.choice(PIECES)]) for _ in range(width)]
        rows.append(Row(cells, table=table))
    return RawDocument("random", rows)


def test_random_tables_never_crash():
    rng = random.Random(20211012)
    outcomes = {"plan": 0, "error": 0}
    for _ in range(3000):
        try:
            plan = build_plan(random_document(rng))
        except IngestError as exc:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))
            outcomes["error"] += 1
        else:
            assert plan.tasks
            outcomes["plan"] += 1
    assert outcomes["plan"] > 100 and outcomes["error"] > 100  # both paths were exercised


def test_random_clauses_never_crash():
    rng = random.Random(7)
    alphabet = list("区局办委各、，；;,（）()牵头负责落实配合年月日底前后个工作日内长期每季度0123456789一二十〇：:\n ")
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        parse_units(text)
        result = parse_deadline(text, rng.choice([None, 2021]))
        assert result.deadline is not None or result.warnings
