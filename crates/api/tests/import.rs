//! Imports of registers as offices export them from Excel.

mod common;

use azukari_api::domain::*;
use azukari_api::import::read_grid;
use azukari_api::*;
use common::*;
use proptest::prelude::*;

const REGISTER: &str = "貸与物管理台帳\r\n\
管理番号,種別,品名,型番,シリアル番号,所有,分類,暗号化,貸与先,貸与日,返却予定日,保管場所,備考\r\n\
PC-0001,ノートPC,ThinkPad X1,20XW,SN123,,社外秘,有,髙橋 一郎,2026/4/1,2027/03/31,\"自宅 書斎, 机上\",①番\r\n\
BD-0001,入館証,入館証A,,,,社内,無,﨑山 花子,2026-04-01,,,㈱顧客の入館証\r\n\
USB-0001,ＵＳＢメモリ,USB 32GB,,,,,有,,,,,\r\n";

fn cp932(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable, "the sample must be CP932-encodable");
    bytes.into_owned()
}

fn import(f: &mut Fixture, name: &str, bytes: &[u8]) -> Result<ImportSummary, Failure> {
    f.desk.import(
        &f.admin.clone(),
        ImportKind::Assets,
        name,
        bytes,
        ImportOptions::default(),
        now(),
    )
}

fn check_register(f: &Fixture) {
    let page = f
        .desk
        .asset_page(
            &f.admin,
            &view::AssetQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.total, 3);
    let pc = page.rows.iter().find(|r| r.tag == "PC-0001").unwrap();
    assert_eq!(pc.classification, Classification::Confidential);
    assert!(pc.encrypted);
    assert_eq!(
        pc.note.as_deref(),
        Some("①番"),
        "CP932's NEC extensions survive"
    );
    let loan = pc.loan.as_ref().unwrap();
    assert_eq!(loan.custodian, "髙橋 一郎", "IBM extension 髙 survives");
    assert_eq!(
        loan.issued_at.to_rfc3339(),
        "2026-03-31T15:00:00.000Z",
        "start of 2026/4/1 in Tokyo"
    );
    assert_eq!(loan.due_on.as_deref(), Some("2027-03-31"));
    assert_eq!(
        loan.place.as_deref(),
        Some("自宅 書斎, 机上"),
        "quoted commas stay in the cell"
    );
    let badge = page.rows.iter().find(|r| r.tag == "BD-0001").unwrap();
    assert_eq!(badge.loan.as_ref().unwrap().custodian, "﨑山 花子");
    assert_eq!(badge.note.as_deref(), Some("㈱顧客の入館証"));
    let usb = page.rows.iter().find(|r| r.tag == "USB-0001").unwrap();
    assert_eq!(
        (usb.kind, usb.status),
        (AssetKind::UsbMedia, AssetStatus::Available)
    );
    f.desk.verify(&f.admin, None, &mut |_, _| {}).unwrap();
}

#[test]
fn a_cp932_csv_with_japanese_headers() {
    let mut f = fixture();
    let summary = import(&mut f, "台帳.csv", &cp932(REGISTER)).unwrap();
    assert_eq!(
        (
            summary.assets_added,
            summary.people_added,
            summary.loans_issued
        ),
        (3, 2, 2)
    );
    check_register(&f);
}

#[test]
fn utf8_with_and_without_bom_and_utf16() {
    for bytes in [
        REGISTER.as_bytes().to_vec(),
        [b"\xEF\xBB\xBF".as_slice(), REGISTER.as_bytes()].concat(),
        {
            let mut utf16 = vec![0xFF, 0xFE];
            for unit in REGISTER
                .replace(',', "\t")
                .replace("\"自宅 書斎\t 机上\"", "\"自宅 書斎, 机上\"")
                .encode_utf16()
            {
                utf16.extend(unit.to_le_bytes());
            }
            utf16
        },
    ] {
        let mut f = fixture();
        let grid = read_grid("r.csv", &bytes).unwrap();
        assert_eq!(grid[1][0], "管理番号", "{:?}", &grid[..2]);
        import(&mut f, "r.csv", &bytes).unwrap();
        check_register(&f);
    }
}

#[test]
fn an_xlsx_with_date_cells_and_numeric_serials() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = Format::new().set_num_format("yyyy/m/d");
    for (col, header) in [
        "管理番号",
        "種別",
        "品名",
        "シリアル番号",
        "貸与先",
        "貸与日",
        "暗号化",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(2, col as u16 + 1, *header).unwrap();
    }
    sheet.write_string(3, 1, "PC-0100").unwrap();
    sheet.write_string(3, 2, "PC").unwrap();
    sheet.write_string(3, 3, "Let's note").unwrap();
    sheet.write_number(3, 4, 12345.0).unwrap();
    sheet.write_string(3, 5, "𠮷田 太郎").unwrap();
    sheet
        .write_datetime_with_format(3, 6, ExcelDateTime::from_ymd(2026, 4, 1).unwrap(), &date)
        .unwrap();
    sheet.write_boolean(3, 7, true).unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let mut f = fixture();
    import(&mut f, "台帳.xlsx", &bytes).unwrap();
    let detail = f.desk.asset(&f.admin, "PC-0100").unwrap();
    assert_eq!(
        detail.asset.serial.as_deref(),
        Some("12345"),
        "a number typed as serial is not 12345.0"
    );
    assert!(detail.asset.encrypted);
    let loan = detail.asset.loan.unwrap();
    assert_eq!(
        loan.custodian, "𠮷田 太郎",
        "a character outside the BMP survives"
    );
    assert_eq!(loan.issued_at.to_rfc3339(), "2026-03-31T15:00:00.000Z");

    // The same sheet with a bad cell names its row and column as Excel shows them.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in ["管理番号", "種別", "品名"].iter().enumerate() {
        sheet.write_string(2, col as u16 + 1, *header).unwrap();
    }
    sheet.write_string(3, 1, "PC-0200").unwrap();
    sheet.write_string(3, 2, "ラップトップ").unwrap();
    sheet.write_string(3, 3, "x").unwrap();
    let err = import(&mut f, "bad.xlsx", &workbook.save_to_buffer().unwrap()).unwrap_err();
    assert!(
        err.message(rules::Lang::En)
            .starts_with("row 4, column 種別 (C):"),
        "{err}"
    );
}

#[test]
fn one_bad_cell_rejects_the_whole_file_and_writes_nothing() {
    let mut f = fixture();
    let before = f.head();
    let bad = REGISTER.replace("2027/03/31", "2027/02/30");
    let err = import(&mut f, "r.csv", &cp932(&bad)).unwrap_err();
    assert_eq!(err.code(), "import_rejected");
    assert_eq!(
        err.message(rules::Lang::En),
        "row 3, column 返却予定日 (K): due: '2027/02/30' is not valid (a date from 1900 to 9999, like 2026/4/1 or 2026-04-01)"
    );
    assert!(
        err.message(rules::Lang::Ja)
            .starts_with("3行目、返却予定日列（K）"),
        "{}",
        err.message(rules::Lang::Ja)
    );
    assert_eq!(f.head(), before, "not one row of the file is written");
}

#[test]
fn a_tag_already_in_the_store_is_named_with_its_row() {
    let mut f = fixture();
    f.asset("BD-0001");
    let before = f.head();
    let err = import(&mut f, "r.csv", REGISTER.as_bytes()).unwrap_err();
    assert_eq!(
        err.message(rules::Lang::En),
        "row 4, column 管理番号 (A): tag: 'BD-0001' exists already"
    );
    assert_eq!(f.head(), before, "PC-0001 of row 3 is rolled back too");
}

#[test]
fn an_unknown_owner_is_named_with_its_row() {
    let mut f = fixture();
    let err = import(
        &mut f,
        "r.csv",
        REGISTER.replace("SN123,,", "SN123,謎の会社,").as_bytes(),
    )
    .unwrap_err();
    assert_eq!(
        err.message(rules::Lang::En),
        "row 3, column 所有 (F): no organisation '謎の会社' in the register: add it first, or import with --add-organisations"
    );
    assert_eq!(err.code(), "unknown_organisations");
}

/// A register of four owners the store does not know, one of them twice, and our own company
/// written three ways.
const OWNERS: &str = "管理番号,種別,品名,所有,貸与先,貸与日\r\n\
PC-0001,ノートPC,ThinkPad,顧客Ａ株式会社,髙橋 一郎,2026/4/1\r\n\
PC-0002,ノートPC,ThinkPad,当社,,\r\n\
PC-0003,ノートPC,ThinkPad,顧客B株式会社,,\r\n\
PC-0004,ノートPC,ThinkPad,弊社,,\r\n\
PC-0005,ノートPC,ThinkPad,顧客Ａ株式会社,,\r\n\
PC-0006,ノートPC,ThinkPad,株式会社サンプル,,\r\n\
PC-0007,ノートPC,ThinkPad,自社,,\r\n\
PC-0008,ノートPC,ThinkPad,ｺｷｬｸC,,\r\n\
PC-0009,ノートPC,ThinkPad,顧客D,,\r\n";

#[test]
fn every_unknown_organisation_is_listed_in_one_run_and_our_own_is_known_by_any_name() {
    let mut f = fixture();
    let before = f.head();
    let err = import(&mut f, "r.csv", OWNERS.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "unknown_organisations");
    assert_eq!(err.field().as_deref(), Some("organisation"));
    assert_eq!(
        err.message(rules::Lang::En),
        "row 2, column 所有 (D): 4 organisations are not in the register: 顧客Ａ株式会社 (row 2), \
         顧客B株式会社 (row 4), ｺｷｬｸC (row 9), 顧客D (row 10): add them first, or import with \
         --add-organisations"
    );
    assert_eq!(
        err.message(rules::Lang::Ja),
        "2行目、所有列（D）: 台帳にない組織が4件あります: 顧客Ａ株式会社（2行目）、顧客B株式会社（4行目）、\
         ｺｷｬｸC（9行目）、顧客D（10行目）。先に登録するか、--add-organisations を付けて取り込んでください"
    );
    assert_eq!(f.head(), before, "nothing written");

    // The preview with the organisations added: everything that would enter, nothing written.
    let admin = f.admin.clone();
    let add = ImportOptions {
        dry_run: true,
        add_organisations: true,
    };
    let preview = f
        .desk
        .import(
            &admin,
            ImportKind::Assets,
            "r.csv",
            OWNERS.as_bytes(),
            add,
            now(),
        )
        .unwrap();
    assert_eq!(f.head(), before, "a preview writes nothing");
    assert!(preview.dry_run);
    assert_eq!(preview.organisations_added, 4);
    let added: Vec<_> = preview
        .organisations
        .iter()
        .map(|o| (o.name.as_str(), o.kind))
        .collect();
    assert_eq!(
        added,
        [
            ("顧客Ａ株式会社", OrganisationKind::Customer),
            ("顧客B株式会社", OrganisationKind::Customer),
            ("ｺｷｬｸC", OrganisationKind::Customer),
            ("顧客D", OrganisationKind::Customer),
        ]
    );
    let owners: Vec<_> = preview
        .assets
        .iter()
        .map(|a| (a.row, a.tag.as_str(), a.owner.as_str()))
        .collect();
    assert_eq!(
        owners,
        [
            (2, "PC-0001", "顧客Ａ株式会社"),
            (3, "PC-0002", "株式会社サンプル"),
            (4, "PC-0003", "顧客B株式会社"),
            (5, "PC-0004", "株式会社サンプル"),
            (6, "PC-0005", "顧客Ａ株式会社"),
            (7, "PC-0006", "株式会社サンプル"),
            (8, "PC-0007", "株式会社サンプル"),
            (9, "PC-0008", "ｺｷｬｸC"),
            (10, "PC-0009", "顧客D"),
        ]
    );
    assert_eq!(preview.assets[0].custodian.as_deref(), Some("髙橋 一郎"));
    assert_eq!(
        preview.assets[0].issued,
        Some("2026-04-01".parse().unwrap())
    );
    let people: Vec<_> = preview
        .people
        .iter()
        .map(|p| (p.row, p.name.as_str()))
        .collect();
    assert_eq!(people, [(2, "髙橋 一郎")], "the new custodian");
    assert_eq!((preview.assets_added, preview.loans_issued), (9, 1));

    // The same, for real.
    let add = ImportOptions {
        dry_run: false,
        add_organisations: true,
    };
    let done = f
        .desk
        .import(
            &admin,
            ImportKind::Assets,
            "r.csv",
            OWNERS.as_bytes(),
            add,
            now(),
        )
        .unwrap();
    assert_eq!(
        (done.organisations_added, done.assets_added),
        (4, 9),
        "the preview said what would happen"
    );
    let organisations = f.desk.organisations(&admin).unwrap();
    assert_eq!(organisations.len(), 5, "our own and the four");
    f.desk.verify(&admin, None, &mut |_, _| {}).unwrap();
}

#[test]
fn a_people_file_adds_its_unknown_organisations_as_partners() {
    let mut f = fixture();
    let people = "氏名,所属,社員番号\r\n\
山田 太郎,協力会社X,E-1\r\n\
佐藤 次郎,当社,E-2\r\n";
    let admin = f.admin.clone();
    let err = f
        .desk
        .import(
            &admin,
            ImportKind::People,
            "p.csv",
            people.as_bytes(),
            ImportOptions::default(),
            now(),
        )
        .unwrap_err();
    assert_eq!(
        err.message(rules::Lang::En),
        "row 2, column 所属 (B): no organisation '協力会社X' in the register: add it first, or \
         import with --add-organisations"
    );
    let add = ImportOptions {
        dry_run: false,
        add_organisations: true,
    };
    let done = f
        .desk
        .import(
            &admin,
            ImportKind::People,
            "p.csv",
            people.as_bytes(),
            add,
            now(),
        )
        .unwrap();
    assert_eq!(done.people_added, 2);
    assert_eq!(done.organisations[0].kind, OrganisationKind::Partner);
    let listed: Vec<_> = done
        .people
        .iter()
        .map(|p| (p.name.as_str(), p.organisation.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("山田 太郎", "協力会社X"),
            ("佐藤 次郎", "株式会社サンプル")
        ]
    );
}

/// Only the security office adds organisations, through an import as directly.
#[test]
fn adding_organisations_in_an_import_is_the_security_offices_alone() {
    let mut f = fixture();
    let auditor = f.account("audit", vec![Role::Auditor], None);
    let before = f.head();
    let add = ImportOptions {
        dry_run: false,
        add_organisations: true,
    };
    let err = f
        .desk
        .import(
            &auditor,
            ImportKind::Assets,
            "r.csv",
            OWNERS.as_bytes(),
            add,
            now(),
        )
        .unwrap_err();
    assert_eq!(err.code(), "forbidden");
    assert_eq!(f.head(), before);
}

#[test]
fn an_unknown_site_is_named_in_its_own_column() {
    let mut f = fixture();
    let before = f.head();
    let sheet = "管理番号,種別,品名,貸与先,現場,貸与日\r\n\
PC-0001,ノートPC,ThinkPad X1,髙橋 一郎,本社ビル 12階,2026/4/1\r\n";
    let err = import(&mut f, "r.csv", sheet.as_bytes()).unwrap_err();
    assert_eq!(
        err.message(rules::Lang::En),
        "row 2, column 現場 (E): no site '本社ビル 12階'"
    );
    assert_eq!(f.head(), before);
}

#[test]
fn a_dry_run_checks_everything_and_writes_nothing() {
    let mut f = fixture();
    let before = f.head();
    let summary = f
        .desk
        .import(
            &f.admin.clone(),
            ImportKind::Assets,
            "r.csv",
            REGISTER.as_bytes(),
            ImportOptions::preview(),
            now(),
        )
        .unwrap();
    assert_eq!(
        (summary.assets_added, summary.loans_issued, summary.dry_run),
        (3, 2, true)
    );
    assert_eq!(f.head(), before);
    assert_eq!(
        f.desk
            .asset_page(&f.admin, &Default::default())
            .unwrap()
            .total,
        0
    );
}

#[test]
fn bytes_that_are_no_known_encoding_name_the_row() {
    let mut f = fixture();
    let mut bytes = cp932("管理番号,種別,品名\r\nPC-1,PC,a\r\n");
    bytes.extend([b'P', b'C', b'-', b'2', b',', 0x85, 0x20, b'\r', b'\n']);
    let err = import(&mut f, "r.csv", &bytes).unwrap_err();
    assert!(err.to_string().contains("row 3"), "{err}");
}

#[test]
fn people_import() {
    let mut f = fixture();
    f.desk
        .add_organisation(
            &f.admin.clone(),
            "協力会社",
            OrganisationKind::Partner,
            now(),
        )
        .unwrap();
    let csv = "氏名,フリガナ,所属,メールアドレス\n髙橋 一郎,タカハシ イチロウ,協力会社,t@example.jp\n山田 花子,,,\n";
    let summary = f
        .desk
        .import(
            &f.admin.clone(),
            ImportKind::People,
            "p.csv",
            &cp932(csv),
            ImportOptions::default(),
            now(),
        )
        .unwrap();
    assert_eq!(summary.people_added, 2);
    let people = f.desk.people(&f.admin).unwrap();
    let takahashi = people.iter().find(|p| p.name == "髙橋 一郎").unwrap();
    assert_eq!(takahashi.organisation, "協力会社");
}

fn cp932_names() -> impl Strategy<Value = String> {
    let chars: Vec<char> = "髙﨑德①②㈱㈲№Ⅰⅱ山田太郎花子一郎高橋斎藤齋藤渡邊ｱｲｳ ーぁアABCabc0123"
        .chars()
        .collect();
    proptest::collection::vec(proptest::sample::select(chars), 1..12)
        .prop_map(|cs| cs.into_iter().collect::<String>().trim().to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn any_cp932_cells_read_back_exactly(rows in proptest::collection::vec(proptest::collection::vec(cp932_names(), 3), 1..6)) {
        let text: String = rows.iter().map(|row| {
            row.iter().map(|cell| format!("\"{}\"", cell.replace('"', "\"\""))).collect::<Vec<_>>().join(",") + "\r\n"
        }).collect();
        let grid = read_grid("x.csv", &cp932(&text)).unwrap();
        prop_assert_eq!(grid, rows);
    }
}

#[test]
fn the_role_is_checked_before_a_byte_is_parsed() {
    let mut f = fixture();
    f.person("髙橋 一郎");
    let custodian = f.account("takahashi", vec![Role::Custodian], Some("髙橋 一郎"));
    // Garbage that would fail parsing: the refusal must be about the role, not the file.
    let refused = f
        .desk
        .import(
            &custodian,
            ImportKind::Assets,
            "x.xlsx",
            b"PK\x03\x04garbage",
            ImportOptions::default(),
            now(),
        )
        .unwrap_err();
    assert_eq!(refused.code(), "forbidden", "{refused}");
}

#[test]
fn a_file_over_the_limit_is_refused_before_it_is_read() {
    let mut f = fixture();
    f.desk.set_import_limit(1024);
    let big = REGISTER.repeat(20);
    let refused = import(&mut f, "r.csv", big.as_bytes()).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("larger than the import limit of 1024 bytes"),
        "{refused}"
    );
    let path = f.dir.path().join("big.csv");
    std::fs::write(&path, big).unwrap();
    let admin = f.admin.clone();
    let refused = f
        .desk
        .import_file(
            &admin,
            ImportKind::Assets,
            &path,
            ImportOptions::default(),
            now(),
        )
        .unwrap_err();
    assert_eq!(refused.code(), "import_rejected");
    f.desk.set_import_limit(DEFAULT_IMPORT_LIMIT_BYTES);
    f.desk
        .import_file(
            &admin,
            ImportKind::Assets,
            &path,
            ImportOptions::preview(),
            now(),
        )
        .expect_err("20 copies repeat their tags")
        .to_string();
}

#[test]
fn old_excel_and_opendocument_files_are_refused_by_name() {
    let mut f = fixture();
    for name in ["r.xls", "r.ods"] {
        let refused = import(&mut f, name, b"\xD0\xCF\x11\xE0rest").unwrap_err();
        assert!(refused.to_string().contains(".xlsx or as CSV"), "{refused}");
    }
}

#[test]
fn a_year_0000_cell_is_refused_with_its_row_and_column_and_nothing_written() {
    let mut f = fixture();
    let head = f.head();
    let bad = REGISTER.replace("2026/4/1", "0000/01/01");
    let refused = import(&mut f, "r.csv", &cp932(&bad)).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "row 3, column 貸与日 (J): issued: '0000/01/01' is not valid (a date from 1900 to 9999, like 2026/4/1 or 2026-04-01)"
    );
    assert_eq!(f.head(), head, "nothing written");
    f.desk.verify(&f.admin, None, &mut |_, _| {}).unwrap();
}

#[test]
fn an_issue_dated_after_today_is_refused_at_its_cell() {
    let mut f = fixture();
    let bad = REGISTER
        .replace("2026/4/1", "2030/4/1")
        .replace("2027/03/31", "2031/03/31");
    let refused = import(&mut f, "r.csv", &cp932(&bad)).unwrap_err();
    let message = refused.to_string();
    assert!(message.starts_with("row 3, column 貸与日 (J)"), "{message}");
}

#[test]
fn hidden_and_direction_changing_characters_are_refused_where_they_would_deceive() {
    let mut f = fixture();
    // A tag that looks like PC-0001 but is another, and a name that reads backwards.
    let zero_width = REGISTER.replace("PC-0001", "PC-\u{200B}0001");
    let refused = import(&mut f, "r.csv", zero_width.as_bytes()).unwrap_err();
    assert!(
        refused
            .to_string()
            .starts_with("row 3, column 管理番号 (A)"),
        "{refused}"
    );
    let override_ = REGISTER.replace("髙橋 一郎", "髙橋\u{202E}一郎");
    let refused = import(&mut f, "r.csv", override_.as_bytes()).unwrap_err();
    assert!(
        refused.to_string().contains("U+202E"),
        "the character is named: {refused}"
    );
    let account = NewAccount {
        login: "admin\u{2060}".into(),
        password: PASSWORD.into(),
        roles: vec![Role::Auditor],
        person: None,
    };
    let admin = f.admin.clone();
    let refused = f.desk.add_account(&admin, account, now()).unwrap_err();
    assert_eq!(
        refused.to_ipc(rules::Lang::En).field.as_deref(),
        Some("login")
    );
    assert_eq!(f.head(), 4, "nothing written");
}
