//! A minimal XLSX writer for tests: inline-string cells at any position, any zip member sizes claimed, and
//! hand-made deflate streams (for zip bombs). Shared by the workbook tests and the `xlsx_memory` example.
#![allow(dead_code)]

use std::io::Write;

use flate2::write::DeflateEncoder;
use flate2::{Compress, Compression, Crc, FlushCompress};

/// One zip member, already compressed (raw deflate).
pub struct Part {
    pub name: String,
    pub deflated: Vec<u8>,
    pub crc: u32,
    /// The true uncompressed size.
    pub size: u64,
    /// The uncompressed size the zip headers claim (default: the true one).
    pub claimed: Option<u64>,
}

/// A member from its bytes.
pub fn part(name: &str, bytes: &[u8]) -> Part {
    let mut w = PartWriter::new(name);
    w.write_all(bytes).expect("deflate");
    w.finish()
}

/// Writes a member's bytes through deflate as they come (for large generated sheets).
pub struct PartWriter {
    name: String,
    enc: DeflateEncoder<Vec<u8>>,
    crc: Crc,
}

impl PartWriter {
    pub fn new(name: &str) -> Self {
        Self::with_level(name, Compression::fast())
    }

    pub fn with_level(name: &str, level: Compression) -> Self {
        PartWriter { name: name.into(), enc: DeflateEncoder::new(Vec::new(), level), crc: Crc::new() }
    }

    pub fn finish(self) -> Part {
        let size = u64::from(self.crc.amount());
        let crc = self.crc.sum();
        let deflated = self.enc.finish().expect("deflate");
        Part { name: self.name, deflated, crc, size, claimed: None }
    }
}

impl Write for PartWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.crc.update(buf);
        self.enc.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Raw deflate of `bytes` as self-contained, byte-aligned blocks (`final_block`: the last ones).
fn deflate_blocks(bytes: &[u8], final_block: bool) -> Vec<u8> {
    let mut c = Compress::new(Compression::best(), false);
    let mut out = Vec::with_capacity(bytes.len() / 8 + 1024);
    let flush = if final_block { FlushCompress::Finish } else { FlushCompress::Full };
    c.compress_vec(bytes, &mut out, flush).expect("deflate");
    out
}

/// A member of `prefix`, then `chunk` repeated `times`, then `suffix`, deflated without ever holding the
/// whole: each chunk is compressed once into self-contained blocks and the blocks are repeated.
pub fn repeated_part(name: &str, prefix: &[u8], chunk: &[u8], times: u64, suffix: &[u8]) -> Part {
    let mut deflated = deflate_blocks(prefix, false);
    let block = deflate_blocks(chunk, false);
    for _ in 0..times {
        deflated.extend_from_slice(&block);
    }
    deflated.extend_from_slice(&deflate_blocks(suffix, true));
    let mut crc = Crc::new();
    crc.update(prefix);
    let mut one = Crc::new();
    one.update(chunk);
    for _ in 0..times {
        crc.combine(&one);
    }
    let mut tail = Crc::new();
    tail.update(suffix);
    crc.combine(&tail);
    let size = prefix.len() as u64 + chunk.len() as u64 * times + suffix.len() as u64;
    Part { name: name.into(), deflated, crc: crc.sum(), size, claimed: None }
}

/// The zip archive of `parts` (no zip64: every size must fit 32 bits).
pub fn zip(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for p in parts {
        let offset = out.len() as u32;
        let claimed = p.claimed.unwrap_or(p.size) as u32;
        let header = |sig: u32, central_entry: bool| -> Vec<u8> {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central_entry {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // needed
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&8u16.to_le_bytes()); // deflate
            h.extend_from_slice(&0u16.to_le_bytes()); // time
            h.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
            h.extend_from_slice(&p.crc.to_le_bytes());
            h.extend_from_slice(&(p.deflated.len() as u32).to_le_bytes());
            h.extend_from_slice(&claimed.to_le_bytes());
            h.extend_from_slice(&(p.name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central_entry {
                h.extend_from_slice(&0u16.to_le_bytes()); // comment
                h.extend_from_slice(&0u16.to_le_bytes()); // disk
                h.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(p.name.as_bytes());
            h
        };
        out.extend_from_slice(&header(0x0403_4b50, false));
        out.extend_from_slice(&p.deflated);
        central.extend_from_slice(&header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// The package parts of a workbook with sheets `names` (`xl/worksheets/sheet{i}.xml`, 1-based), without the
/// sheets themselves.
pub fn package(names: &[&str]) -> Vec<Part> {
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    );
    let mut sheets = String::new();
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, n) in names.iter().enumerate() {
        let k = i + 1;
        types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#));
        sheets.push_str(&format!(r#"<sheet name="{n}" sheetId="{k}" r:id="rId{k}"/>"#));
        rels.push_str(&format!(r#"<Relationship Id="rId{k}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{k}.xml"/>"#));
    }
    types.push_str("</Types>");
    rels.push_str("</Relationships>");
    let workbook = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets></workbook>"#
    );
    let root_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    vec![
        part("[Content_Types].xml", types.as_bytes()),
        part("_rels/.rels", root_rels.as_bytes()),
        part("xl/workbook.xml", workbook.as_bytes()),
        part("xl/_rels/workbook.xml.rels", rels.as_bytes()),
    ]
}

/// A1-style column letters of a 0-based column.
pub fn col_name(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// The opening of a worksheet part, with a declared dimension.
pub fn sheet_start(dimension: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>"#
    )
}

/// The end of a worksheet part.
pub const SHEET_END: &str = "</sheetData></worksheet>";

/// One `<row>` of inline-string cells at (0-based column, text); `row` is 1-based.
pub fn row_xml(row: u32, cells: &[(u32, &str)]) -> String {
    let mut s = format!(r#"<row r="{row}">"#);
    for (c, text) in cells {
        let text = text.replace('&', "&amp;").replace('<', "&lt;");
        s.push_str(&format!(r#"<c r="{}{row}" t="inlineStr"><is><t>{text}</t></is></c>"#, col_name(*c)));
    }
    s.push_str("</row>");
    s
}

/// A worksheet part holding `rows` (1-based row, cells) with the given declared dimension.
pub fn sheet(dimension: &str, rows: &[(u32, Vec<(u32, &str)>)]) -> String {
    let mut s = sheet_start(dimension);
    for (r, cells) in rows {
        s.push_str(&row_xml(*r, cells));
    }
    s.push_str(SHEET_END);
    s
}

/// A workbook of sheets given as (name, worksheet XML).
pub fn workbook(sheets: &[(&str, String)]) -> Vec<u8> {
    let names: Vec<&str> = sheets.iter().map(|(n, _)| *n).collect();
    let mut parts = package(&names);
    for (i, (_, xml)) in sheets.iter().enumerate() {
        parts.push(part(&format!("xl/worksheets/sheet{}.xml", i + 1), xml.as_bytes()));
    }
    zip(&parts)
}

/// Cells of one row, left to right from column A.
pub fn cells<'a>(texts: &[&'a str]) -> Vec<(u32, &'a str)> {
    texts.iter().enumerate().map(|(i, t)| (i as u32, *t)).collect()
}

/// The columns of [`es003_workbook_file`].
const ES003_HEADER: [&str; 9] = [
    "Entry Summary Number",
    "Entry Summary Line Number",
    "Tariff Ordinal Number",
    "HTS Number - Full",
    "Line Tariff Goods Value Amount",
    "Line Tariff Duty Amount",
    "Entry Date",
    "Importer Number",
    "Importer Name",
];

/// Writes an ES-003 workbook of `rows` tariff rows (two an entry) to `path`, as Excel writes such a report:
/// entry numbers, HTS numbers and names in the shared strings table, numbers and dates as numbers.
pub fn es003_workbook_file(path: &str, rows: u32) -> std::io::Result<()> {
    let entries = rows.div_ceil(2);
    // Shared strings: the header, two HTS numbers, an importer, then one entry number per entry.
    let mut sst = PartWriter::new("xl/sharedStrings.xml");
    let fixed = ES003_HEADER.len() as u32 + 3;
    write!(
        sst,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">"#,
        fixed + entries
    )?;
    for s in ES003_HEADER.iter().chain(["9903.01.25", "8471300100", "Acme Imports"].iter()) {
        write!(sst, "<si><t>{s}</t></si>")?;
    }
    for e in 0..entries {
        let n = cape_core::EntryNumber::from_parts("VSU", e).map_err(std::io::Error::other)?;
        write!(sst, "<si><t>{n}</t></si>")?;
    }
    sst.write_all(b"</sst>")?;
    let styles = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="mm/dd/yyyy"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>"#;

    let mut sheet = PartWriter::new("xl/worksheets/sheet1.xml");
    write!(
        sheet,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:I{}"/><sheetData><row r="1">"#,
        rows + 1
    )?;
    for (i, _) in ES003_HEADER.iter().enumerate() {
        write!(sheet, r#"<c r="{}1" t="s"><v>{i}</v></c>"#, col_name(i as u32))?;
    }
    sheet.write_all(b"</row>")?;
    let hts = ES003_HEADER.len();
    for i in 0..rows {
        let r = i + 2;
        let (entry, ordinal) = (i / 2, i % 2 + 1);
        let (value, duty) = if ordinal == 1 { ("0", "100.25") } else { ("1000", "0") };
        write!(
            sheet,
            r#"<row r="{r}"><c r="A{r}" t="s"><v>{}</v></c><c r="B{r}"><v>1</v></c><c r="C{r}"><v>{ordinal}</v></c><c r="D{r}" t="s"><v>{}</v></c><c r="E{r}"><v>{value}</v></c><c r="F{r}"><v>{duty}</v></c><c r="G{r}" s="1"><v>45762</v></c><c r="H{r}"><v>1234567890</v></c><c r="I{r}" t="s"><v>{}</v></c></row>"#,
            fixed + entry,
            hts + ordinal as usize - 1,
            hts + 2,
        )?;
    }
    sheet.write_all(b"</sheetData></worksheet>")?;

    let mut parts = package(&["ES-003"]);
    parts.push(sheet.finish());
    parts.push(sst.finish());
    parts.push(part("xl/styles.xml", styles.as_bytes()));
    // The package's content types must name the shared strings and styles for Excel (calamine finds them
    // by name).
    std::fs::write(path, zip(&parts))
}
