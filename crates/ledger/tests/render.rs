//! Ledgers rendered and read back with the tools offices' and auditors' programs use:
//! pdftotext, pdffonts, pdfinfo (poppler) and qpdf; CSV and XLSX read back as data.

use azukari_ledger::*;
use std::process::Command;

fn fonts() -> Fonts {
    Fonts::with_preference(None).expect("fonts-noto-cjk is installed by scripts/install-deps.sh")
}

fn sample(rows: usize, grouped: bool) -> Ledger {
    let names = ["髙橋 一郎", "﨑山 花子", "𠮷田 太郎", "渡邊 美咲"];
    let mut groups = Vec::new();
    for (g, name) in names.iter().enumerate() {
        let rows: Vec<Vec<String>> = (0..rows / names.len())
            .map(|i| {
                let n = g * 1000 + i;
                vec![
                    format!("PC-{n:05}"),
                    "ノートPC".into(),
                    if i == 0 { "とても長い品名のノートパソコン ThinkPad X1 Carbon Gen 11 法人向けモデル 英語キーボード 指紋認証 LTE対応 2026年度調達分".into() } else { format!("ThinkPad X1 Gen {i}") },
                    format!("SN{n:08}"),
                    (*name).into(),
                    "2026/04/01".into(),
                ]
            })
            .collect();
        groups.push(Group {
            heading: grouped.then(|| format!("貸与先: {name}")),
            rows,
        });
    }
    Ledger {
        title: "貸与物管理台帳".into(),
        organisation: "株式会社サンプル".into(),
        header_lines: vec![
            "基準日時 2026/11/21 09:00 (Asia/Tokyo)".into(),
            "貸与先別".into(),
        ],
        printed_by: "出力者 admin".into(),
        journal_head:
            "操作記録 #42 3f2a9c0e5b7d1f00aa11bb22cc33dd44ee55ff6677889900aabbccddeeff0011".into(),
        stamps: vec!["承認".into(), "確認".into()],
        checkpoint: None,
        page_label: "{n} / {N}".into(),
        group_label: grouped.then(|| "貸与先".to_string()),
        columns: vec![
            Column::new("管理番号", 22.0, Align::Left),
            Column::new("種別", 18.0, Align::Left),
            Column::new("品名・型番", 60.0, Align::Left),
            Column::new("シリアル番号", 26.0, Align::Left),
            Column::new("貸与先", 30.0, Align::Left),
            Column::new("貸与日", 20.0, Align::Right),
        ],
        groups,
        created_unix: 1_795_000_000,
    }
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e} (scripts/install-deps.sh installs it)"));
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn write(bytes: &[u8], name: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path.to_str().unwrap().to_string())
}

#[test]
fn the_pdf_reads_back_with_japanese_text_footer_and_subset_fonts() {
    let ledger = sample(200, true);
    let bytes = render_pdf(&ledger, &mut fonts(), &mut |_, _| {}).unwrap();
    let (_dir, path) = write(&bytes, "ledger.pdf");
    if let Ok(keep) = std::env::var("LEDGER_SAMPLE_OUT") {
        std::fs::write(keep, &bytes).unwrap();
    }

    let info = tool("pdfinfo", &[&path]);
    let pages: usize = info
        .lines()
        .find(|l| l.starts_with("Pages:"))
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        pages >= 7,
        "200 rows and 4 headings at ~29 lines a page: {pages} pages"
    );
    assert!(
        info.contains("841.89 x 595.276 pts (A4)"),
        "A4 landscape: {info}"
    );

    let text = tool("pdftotext", &["-layout", &path, "-"]);
    for expected in [
        "貸与物管理台帳",
        "株式会社サンプル",
        "髙橋 一郎",
        "﨑山 花子",
        "𠮷田 太郎",
        "承認",
        "確認",
        "出力者 admin",
        "3f2a9c0e5b7d1f00aa11bb22cc33dd44ee55ff6677889900aabbccddeeff0011",
        "PC-00000",
        "PC-03049",
    ] {
        assert!(text.contains(expected), "pdftotext should find {expected}");
    }
    // pdftotext closes up the narrow spaces around the slash.
    let packed = text.replace(' ', "");
    for page in 1..=pages {
        assert!(
            packed.contains(&format!("{page}/{pages}")),
            "page {page} / {pages} is numbered"
        );
    }
    assert_eq!(
        text.matches("貸与物管理台帳").count(),
        pages,
        "the title is on every page"
    );
    assert_eq!(
        text.matches("管理番号").count(),
        pages,
        "the column header repeats on every page"
    );
    assert!(
        text.contains("とても長い品名") && text.contains('…'),
        "a long name is shortened with …"
    );
    assert!(
        !text.contains("年度調達分"),
        "…and does not overflow into the next column"
    );

    let fonts = tool("pdffonts", &[&path]);
    let noto = fonts
        .lines()
        .find(|l| l.contains("NotoSansCJK"))
        .expect("Noto Sans CJK is used");
    let columns: Vec<&str> = noto.split_whitespace().collect();
    assert!(columns[0].contains('+'), "subset fonts carry a tag: {noto}");
    assert_eq!(
        &columns[columns.len() - 5..columns.len() - 2],
        ["yes", "yes", "yes"],
        "emb sub uni: {noto}"
    );
    assert!(
        bytes.len() < 400_000,
        "subset, not the 16 MB face: {} bytes",
        bytes.len()
    );

    tool("qpdf", &["--check", &path]);
}

#[test]
fn the_same_ledger_gives_the_same_bytes() {
    let ledger = sample(60, true);
    let first = render_pdf(&ledger, &mut fonts(), &mut |_, _| {}).unwrap();
    let second = render_pdf(&ledger, &mut fonts(), &mut |_, _| {}).unwrap();
    assert!(
        first == second,
        "two renderings of one ledger must be identical"
    );
    assert_eq!(render_xlsx(&ledger).unwrap(), render_xlsx(&ledger).unwrap());
    let mut other = ledger.clone();
    other.journal_head = "操作記録 #43 0000".into();
    assert!(
        render_pdf(&other, &mut fonts(), &mut |_, _| {}).unwrap() != first,
        "a different journal head is a different document"
    );
}

#[test]
fn csv_and_xlsx_hold_the_same_rows_as_the_pdf() {
    use calamine::{Reader, Xlsx};
    let ledger = sample(40, true);
    let pdf = render_pdf(&ledger, &mut fonts(), &mut |_, _| {}).unwrap();
    let (_dir, path) = write(&pdf, "l.pdf");
    let text = tool("pdftotext", &["-layout", &path, "-"]);
    let pdf_tags: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.starts_with("PC-"))
        .collect();

    let csv = render_csv(&ledger, CsvEncoding::Utf8Bom).unwrap();
    assert!(
        csv.starts_with(b"\xEF\xBB\xBF"),
        "a BOM, so Excel reads UTF-8"
    );
    let csv = String::from_utf8(csv[3..].to_vec()).unwrap();
    let csv_rows: Vec<Vec<String>> = csv
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert_eq!(csv_rows[0][0], "貸与先");
    assert_eq!(csv_rows[0][1], "管理番号");
    let csv_tags: Vec<&str> = csv_rows[1..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(csv_tags, pdf_tags, "the same rows in the same order");
    assert_eq!(
        csv_rows[1][3],
        "とても長い品名のノートパソコン ThinkPad X1 Carbon Gen 11 法人向けモデル 英語キーボード 指紋認証 LTE対応 2026年度調達分",
        "CSV keeps the whole cell"
    );

    let xlsx = render_xlsx(&ledger).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let xlsx_rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(xlsx_rows, csv_rows, "XLSX and CSV hold the same cells");
}

/// Excel on Windows, and RFC 4180, end a CSV record with CRLF, on every platform the CSV is
/// written on; a line break inside a cell stays inside its quotes.
#[test]
fn csv_records_end_in_crlf_in_both_encodings() {
    let mut ledger = sample(8, false);
    ledger.groups[0].rows[0][5] = "自宅\n書斎".into();
    let records = 1 + ledger.groups.iter().map(|g| g.rows.len()).sum::<usize>();
    let utf8 = render_csv(&ledger, CsvEncoding::Utf8Bom).unwrap();
    let text = String::from_utf8(utf8[3..].to_vec()).unwrap();
    assert_eq!(text.matches("\r\n").count(), records, "{text}");
    assert!(text.ends_with("\r\n"));
    assert!(
        text.contains("\"自宅\n書斎\""),
        "the cell's own break, quoted: {text}"
    );
    assert_eq!(text.matches('\n').count(), records + 1, "no other bare LF");

    ledger.groups.retain(|g| !g.rows[0][4].contains('𠮷'));
    let records = 1 + ledger.groups.iter().map(|g| g.rows.len()).sum::<usize>();
    let cp932 = render_csv(&ledger, CsvEncoding::Cp932).unwrap();
    let (text, _, _) = encoding_rs::SHIFT_JIS.decode(&cp932);
    assert_eq!(text.matches("\r\n").count(), records, "{text}");
}

#[test]
fn cp932_csv_refuses_a_character_it_cannot_hold_by_row_and_column() {
    let ledger = sample(8, false);
    let err = render_csv(&ledger, CsvEncoding::Cp932).unwrap_err();
    assert!(
        err.to_string().contains("'𠮷'") && err.to_string().contains("column 貸与先"),
        "{err}"
    );
    let mut plain = ledger.clone();
    plain.groups.retain(|g| !g.rows[0][4].contains('𠮷'));
    let bytes = render_csv(&plain, CsvEncoding::Cp932).unwrap();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(
        !bad && text.contains("髙橋 一郎") && text.contains("﨑山 花子"),
        "CP932 holds 髙 and 﨑"
    );
}

#[test]
fn a_character_no_font_has_is_refused_by_name_before_drawing() {
    let mut ledger = sample(8, false);
    ledger.groups[0].rows[1][4] = "私用\u{E000}文字".into();
    let err = render_pdf(&ledger, &mut fonts(), &mut |_, _| {
        panic!("nothing is drawn")
    })
    .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("U+E000") && message.contains("row 2, column 貸与先"),
        "{message}"
    );
}

/// Direction marks, a soft hyphen and a line separator arrive unseen in text pasted from
/// elsewhere; no font has them, and they must not make the ledger unprintable.
#[test]
fn format_characters_are_not_drawn_and_do_not_stop_the_ledger() {
    let mut ledger = sample(8, false);
    ledger.groups[0].rows[1][2] = "\u{200E}ThinkPad\u{00AD}X1\u{2028}Gen\u{2060} 2\u{202C}".into();
    let bytes = render_pdf(&ledger, &mut fonts(), &mut |_, _| {}).unwrap();
    let (_dir, path) = write(&bytes, "format.pdf");
    let text = tool("pdftotext", &["-layout", &path, "-"]);
    assert!(text.contains("ThinkPadX1 Gen 2"), "{text}");
}

/// 一 (U+4E00) and the Kangxi radical ⼀ (U+2F00) are one glyph in Noto Sans CJK. A ledger
/// holding both must still extract 一郎 as 一郎, so that a search of the PDF finds it.
#[test]
fn a_glyph_two_characters_share_extracts_as_the_ordinary_one() {
    let mut ledger = sample(8, false);
    ledger.groups[0].rows[1][2] = "⼀号機".into();
    ledger.groups[1].rows[1][4] = "山田 一郎".into();
    let bytes = render_pdf(&ledger, &mut fonts(), &mut |_, _| {}).unwrap();
    let (_dir, path) = write(&bytes, "shared.pdf");
    let text = tool("pdftotext", &["-layout", &path, "-"]);
    assert!(
        text.contains("山田 一郎") && text.contains("髙橋 一郎"),
        "{text}"
    );
}

#[test]
fn a_font_that_is_not_there_is_named() {
    let err = Fonts::load(&[FontSource::parse("/nonexistent/font.ttf")]).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/font.ttf"), "{err}");
}

/// IPAex Gothic (TrueType, glyph ids renumbered when subset) lacks 𠮷; Noto Sans CJK
/// (CID-keyed CFF, codes are its CIDs) has it. A cell mixing the two must draw and extract
/// as written, each face embedded as its own subset.
#[test]
fn a_character_the_first_font_lacks_is_drawn_from_the_next() {
    let ipaex = FontSource::system_defaults()
        .into_iter()
        .find(|s| s.path.ends_with("ipaexg.ttf"))
        .expect("fonts-ipaexfont-gothic is installed by scripts/install-deps.sh");
    let noto = FontSource::system_defaults()
        .into_iter()
        .find(|s| s.path.to_string_lossy().contains("NotoSansCJK"))
        .expect("fonts-noto-cjk is installed by scripts/install-deps.sh");
    let mut fonts = Fonts::load(&[ipaex, noto]).unwrap();
    let bytes = render_pdf(&sample(40, true), &mut fonts, &mut |_, _| {}).unwrap();
    let (_dir, path) = write(&bytes, "fallback.pdf");
    if let Ok(keep) = std::env::var("LEDGER_FALLBACK_OUT") {
        std::fs::write(keep, &bytes).unwrap();
    }

    let listed = tool("pdffonts", &[&path]);
    // pdffonts prints two heading lines, then a line per font.
    let lines: Vec<&str> = listed.lines().collect();
    let faces = &lines[2..];
    assert_eq!(faces.len(), 2, "{listed}");
    assert!(
        faces[0].contains("IPAexGothic") && faces[1].contains("NotoSansCJK"),
        "{listed}"
    );
    for face in faces {
        assert!(
            face.contains("yes yes yes"),
            "embedded, subset, Unicode: {face}"
        );
    }
    let text = tool("pdftotext", &["-layout", &path, "-"]);
    for expected in [
        "貸与先: 𠮷田 太郎",
        "𠮷田 太郎",
        "髙橋 一郎",
        "ThinkPad X1 Gen 3",
        "﨑山 花子",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let render = Command::new("pdftoppm")
        .args(["-r", "40", "-png", "-f", "1", "-l", "1", &path])
        .output()
        .unwrap();
    assert!(
        render.status.success() && render.stderr.is_empty(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&render.stderr)
    );
}

#[test]
fn labels_carry_tag_name_and_a_qr_code() {
    let labels: Vec<Label> = (0..30)
        .map(|i| Label {
            tag: format!("PC-{i:04}"),
            name: "ThinkPad X1 髙橋用".into(),
            owner: "株式会社サンプル".into(),
        })
        .collect();
    let bytes = render_labels(&labels, &mut fonts(), "資産ラベル", 0, &mut |_, _| {}).unwrap();
    let (_dir, path) = write(&bytes, "labels.pdf");
    let info = tool("pdfinfo", &[&path]);
    assert!(
        info.contains("Pages:           2"),
        "30 labels on sheets of 24: {info}"
    );
    assert!(
        info.contains("595.276 x 841.89 pts (A4)"),
        "A4 portrait: {info}"
    );
    let text = tool("pdftotext", &[&path, "-"]);
    assert!(text.contains("PC-0000") && text.contains("PC-0029") && text.contains("髙橋用"));
    tool("qpdf", &["--check", &path]);

    // The QR codes scan: render the first sheet as a printer would, cut it into its 3 × 8
    // labels as a hand scanner sees them one at a time, and read each with zbar.
    let png = format!("{path}-sheet");
    tool(
        "pdftoppm",
        &["-png", "-r", "200", "-f", "1", "-l", "1", &path, &png],
    );
    let tiles = format!("{path}-label-%02d.png");
    tool(
        "convert",
        &[
            &format!("{png}-1.png"),
            "-crop",
            "3x8@",
            "+repage",
            "+adjoin",
            &tiles,
        ],
    );
    let tile_files: Vec<String> = (0..24)
        .map(|i| format!("{path}-label-{i:02}.png"))
        .collect();
    let mut args = vec!["-q"];
    args.extend(tile_files.iter().map(String::as_str));
    let scanned = tool("zbarimg", &args);
    let tags: Vec<&str> = scanned
        .lines()
        .filter_map(|l| l.strip_prefix("QR-Code:"))
        .collect();
    let expected: Vec<String> = (0..24).map(|i| format!("PC-{i:04}")).collect();
    assert_eq!(tags, expected, "every label on the sheet scans as its tag");
}

/// Cells someone typed as formulas, each with what LibreOffice would show had it run them.
const FORMULAS: [(&str, &str); 5] = [
    (
        "=HYPERLINK(\"http://127.0.0.1/x\",\"押してください\")",
        "押してください",
    ),
    ("=1+1", "2"),
    ("+1+1", "2"),
    ("-1+3", "2"),
    ("@SUM(1,1)", "2"),
];

fn with_formulas() -> Ledger {
    let mut ledger = sample(20, false);
    for (row, (formula, _)) in ledger.groups[0].rows.iter_mut().zip(FORMULAS) {
        row[4] = formula.to_string();
    }
    for (row, (formula, _)) in ledger.groups[1]
        .rows
        .iter_mut()
        .zip(FORMULAS.iter().skip(1))
    {
        row[2] = formula.to_string();
    }
    ledger
}

#[test]
fn a_formula_in_a_cell_comes_out_of_the_csv_as_text_in_libreoffice() {
    let ledger = with_formulas();
    let csv = render_csv(&ledger, CsvEncoding::Utf8Bom).unwrap();
    let (dir, path) = write(&csv, "ledger.csv");
    // LibreOffice opens the CSV as a person double-clicking it would (formulas evaluated),
    // and writes what its cells then hold back out as CSV.
    let out = dir.path().join("out");
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    tool(
        "soffice",
        &[
            &profile,
            "--headless",
            "--infilter=CSV:44,34,76,1,,0,false,true,true,false,false,,true",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false",
            "--outdir",
            out.to_str().unwrap(),
            &path,
        ],
    );
    let back = std::fs::read_to_string(out.join("ledger.csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(back.as_bytes());
    let cells: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let custodians: Vec<&str> = cells[1..=5].iter().map(|r| r[4].as_str()).collect();
    for ((formula, evaluated), cell) in FORMULAS.iter().zip(custodians) {
        assert!(
            cell.contains(formula.trim_start_matches(['=', '+', '-', '@'])) && cell != *evaluated,
            "{formula} must stay text, LibreOffice shows {cell:?}"
        );
    }
    assert_eq!(cells[6][2], "'=1+1", "names and models alike");
}

#[test]
fn the_csv_defuses_every_formula_start_and_xlsx_keeps_strings() {
    use calamine::{Data, Reader, Xlsx};
    let ledger = with_formulas();
    let csv = String::from_utf8(render_csv(&ledger, CsvEncoding::Utf8Bom).unwrap()[3..].to_vec())
        .unwrap();
    for (formula, _) in FORMULAS {
        let quoted = format!("'{formula}").replace('"', "\"\"");
        assert!(csv.contains(&quoted), "{formula} is written as '{formula}");
    }
    let mut tab = sample(20, false);
    tab.groups[0].rows[0][4] = "\t=1+1".into();
    tab.groups[0].rows[1][4] = "＝1+1".into();
    let text = String::from_utf8(render_csv(&tab, CsvEncoding::Utf8Bom).unwrap()).unwrap();
    assert!(text.contains("'\t=1+1"), "a leading tab");
    assert!(
        text.contains("'＝1+1"),
        "full-width, as Japanese input types it"
    );
    assert!(
        !text.contains(",=") && !text.contains("\n="),
        "nothing starts a cell with ="
    );

    let xlsx = render_xlsx(&ledger).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let formulas = book.worksheet_formula(&book.sheet_names()[0]).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "XLSX holds no formula"
    );
    assert!(
        sheet
            .used_cells()
            .any(|(_, _, cell)| matches!(cell, Data::String(s) if s == "=1+1")),
        "the typed text stays a string, as typed"
    );
}

/// A signed checkpoint goes under the last page's table, on a page of its own when the table
/// leaves no room, and on the XLSX's info sheet; its lines come back whole from the PDF's
/// text, in order, as `azukari verify --checkpoint` reads them.
#[test]
fn the_signed_checkpoint_is_under_the_last_table_and_on_the_info_sheet() {
    use calamine::{Reader, Xlsx};
    let lines: Vec<String> = vec![
        "azukari checkpoint 1".into(),
        format!("head 42:{}", "3f".repeat(32)),
        "at 2026-11-21T00:00:00.000Z".into(),
        format!("key {}", "ab".repeat(32)),
        format!("signature {}", "cd".repeat(64)),
    ];
    let signed = |rows: usize| {
        let mut ledger = sample(rows, false);
        ledger.checkpoint = Some(azukari_ledger::CheckpointBlock {
            caption: "署名付きチェックポイント".into(),
            lines: lines.clone(),
        });
        ledger
    };
    let per_page = |ledger: &Ledger| {
        let pdf = render_pdf(ledger, &mut fonts(), &mut |_, _| {}).unwrap();
        let (_dir, path) = write(&pdf, "l.pdf");
        let pages: usize = tool("pdfinfo", &[&path])
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        (1..=pages)
            .map(|page| {
                let page = page.to_string();
                tool("pdftotext", &["-f", &page, "-l", &page, &path, "-"])
            })
            .collect::<Vec<String>>()
    };
    let unsigned = per_page(&sample(40, false)).len();
    let pages = per_page(&signed(40));
    assert_eq!(pages.len(), unsigned, "room on the last page: no page more");
    let last = pages.last().unwrap();
    let found: Vec<&str> = last
        .lines()
        .map(str::trim)
        .skip_while(|line| *line != lines[0])
        .take(5)
        .collect();
    assert_eq!(found, lines, "the five lines whole and in order: {last}");
    for page in &pages[..pages.len() - 1] {
        assert!(
            !page.contains("署名付きチェックポイント"),
            "only on the last page"
        );
    }
    // A table that fills its last page: the checkpoint gets a page of its own.
    let full = (1..200)
        .find(|&rows| {
            per_page(&sample(rows + 1, false)).len() > per_page(&sample(rows, false)).len()
        })
        .unwrap();
    let plain = per_page(&sample(full, false)).len();
    let pages = per_page(&signed(full));
    assert_eq!(pages.len(), plain + 1, "a page more for the checkpoint");
    assert!(pages.last().unwrap().contains("azukari checkpoint 1"));

    let xlsx = render_xlsx(&signed(3)).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let info = book.worksheet_range("info").unwrap();
    let cells: Vec<String> = info.rows().map(|r| r[0].to_string()).collect();
    let at = cells.iter().position(|c| c == &lines[0]).unwrap();
    assert_eq!(cells[at..at + 5], lines[..]);
}
