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
