"""Makes the hostile sample files next to this script (small; the tests read them).
Run: python3 make.py"""
import zipfile

CT = b'''<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'''
RELS = b'''<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'''
WORKBOOK = b'''<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Meny" sheetId="1" r:id="rId1"/></sheets></workbook>'''
def wb_rels(target):
    return ('''<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="%s"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>''' % target).encode()

HEADER = ["Vecka", "Dag", "Måltid", "Alternativ", "Rätt"]
ROW = ["12", "1", "Lunch", "1", "Köttbullar med potatismos"]

def sst(attrs):
    items = "".join("<si><t>%s</t></si>" % s for s in HEADER + ROW)
    return ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" %s>%s</sst>' % (attrs, items)).encode()

def sheet(first_ref="A1", padding=""):
    cols = "ABCDE"
    r1 = "".join('<c r="%s" t="s"><v>%d</v></c>' % (first_ref if i == 0 else cols[i] + "1", i) for i in range(5))
    r2 = "".join('<c r="%s2" t="s"><v>%d</v></c>' % (cols[i], 5 + i) for i in range(5))
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:E2"/><sheetData><row r="1">%s</row><row r="2">%s</row></sheetData>%s</worksheet>' % (r1, r2, padding)).encode()

def xlsx(name, sst_attrs, sheet_name, sheet_xml):
    with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels(sheet_name))
        z.writestr("xl/sharedStrings.xml", sst(sst_attrs))
        z.writestr("xl/" + sheet_name, sheet_xml)

# calamine reserves uniqueCount strings up front: 4e9 of them is ~96 GB.
xlsx("unique-count.xlsx", 'count="4000000000" uniqueCount="4000000000"', "worksheets/sheet1.xml", sheet())
# calamine's cell reference arithmetic overflows u32.
xlsx("long-cell-ref.xlsx", 'count="10" uniqueCount="10"', "worksheets/sheet1.xml", sheet("AAAAAAAA1"))
# The old guard counted only lower-case .xml/.rels names: 11 MiB of white space in a sheet
# named .bin was unpacked unchecked.
xlsx("sheet-bin-bomb.xlsx", 'count="10" uniqueCount="10"', "worksheets/sheet1.bin", sheet(padding=" " * (11 * 1024 * 1024)))

# A Word table whose heading row has 100,000 cells: the column lookup was quadratic.
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
cells = "<w:tc><w:p><w:r><w:t>Alt 1</w:t></w:r></w:p></w:tc>" * 100_000
doc = ('<?xml version="1.0" encoding="UTF-8"?><w:document %s><w:body><w:p><w:r><w:t>Vecka 12</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Dag</w:t></w:r></w:p></w:tc>%s</w:tr></w:tbl></w:body></w:document>' % (W, cells)).encode()
with zipfile.ZipFile("wide-heading.docx", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr("word/document.xml", doc)

# 5,000 lines that are each an error: the answer listed every one.
lines = "".join("<w:p><w:r><w:t>Alt 3: Soppa %d</w:t></w:r></w:p>" % n for n in range(5000))
doc = ('<?xml version="1.0" encoding="UTF-8"?><w:document %s><w:body><w:p><w:r><w:t>Vecka 12 2026</w:t></w:r></w:p><w:p><w:r><w:t>Måndag</w:t></w:r></w:p>%s</w:body></w:document>' % (W, lines)).encode()
with zipfile.ZipFile("many-errors.docx", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr("word/document.xml", doc)
