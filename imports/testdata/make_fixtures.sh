#!/usr/bin/env bash
# Regenerates the fixtures written by programs other than excelize, to prove
# the importer reads what real offices produce. Needs Debian's
# python3-openpyxl and libreoffice-calc-nogui. The outputs are committed;
# tests only read them.
set -euo pipefail
cd "$(dirname "$0")"
/usr/bin/python3 - <<'PY'
import datetime, openpyxl
from openpyxl.styles import Font
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "九月捐赠"
ws.append(["程家桥街道2020年9月帮扶投入统计表"])
ws.merge_cells("A1:H1")
ws["A1"].font = Font(bold=True, size=14)
ws.append(["填报单位：程家桥街道", None, None, "填报日期：2020年10月8日"])
# Reordered columns, an extra column (序号), full-width header brackets.
ws.append(["序号", "帮扶单位", "日期", "受援县", "受援乡镇", "形式", "金额（元）", "物资/内容", "数量", "计量单位", "状态", "备注"])
rows = [
    (1, "上海龙舜投资管理有限公司", datetime.date(2020, 9, 2), "绿春县", "大兴镇", "资金", 30000, "体育用品", None, None, "到位", "真实日期单元格"),
    (2, "上海威派格智慧水务股份有限公司", "2020年9月3日", "绿春", None, "物资", "5万元", "水处理设备", 2, "台", "到位", "中文日期、万元"),
    (3, "西雅衣家（中国）商业有限公司", "9月1日至4日", "绿春县", "三猛乡", "物资", "３．７５万", "衣物", "２８６", "件", "到位", "全角数字、日期区间"),
    (None, None, None, None, None, None, None, None, None, None, None, None),
    (4, "拼多多", datetime.datetime(2020, 9, 5, 0, 0), "金平县", "者米乡", "消费帮扶", "1,000,000", "古树茶采购", None, None, "认捐", "别名、千分位"),
    (5, "上海龙舜投资管理有限公司", "2020-09-06", "绿春县", None, "资金", "=B2*0", "公式", None, None, "到位", "公式单元格（openpyxl 不保存计算结果）"),
    (6, "上海龙舜投资管理有限公司", "2020-09-07", "火星县", None, "资金", 100, "x", None, None, "到位", "未知县"),
]
for r in rows:
    ws.append(list(r))
ws["G9"] = "=B2*0"
wb.save("openpyxl_reordered_titles.xlsx")
PY
# A CSV as Chinese Excel saves it (GBK), converted by LibreOffice (56 is
# its GB18030 text encoding number).
printf '日期,帮扶单位,受援县,受援乡镇,形式,金额(元),物资/内容\n2020/9/2,上海龙舜投资管理有限公司,绿春县,戈奎乡,资金,12000,奖学金\n2020/9/3,临空园区,绿春县,牛孔镇,物资,320000,电脑教室\n' | iconv -f UTF-8 -t GB18030 > gbk_excel.csv
rm -rf lo && mkdir lo
soffice --headless --infilter="CSV:44,34,56" --convert-to xlsx --outdir lo gbk_excel.csv >/dev/null 2>&1
mv lo/gbk_excel.xlsx libreoffice_from_gbk_csv.xlsx && rmdir lo
ls -l openpyxl_reordered_titles.xlsx libreoffice_from_gbk_csv.xlsx gbk_excel.csv
