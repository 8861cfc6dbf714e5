//! Choosing fonts: Windows' fonts folder first, faces of a collection by name, the user's font
//! by path, path#index or path#family. The faces are Debian's real fonts; the Windows folder is
//! a folder laid out as Windows lays it out.

use azukari_ledger::{FaceChoice, FontSource, Fonts, face_index, face_names};
use std::path::Path;

const NOTO: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
const IPAEX: &str = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf";

fn noto() -> Vec<u8> {
    std::fs::read(NOTO).expect("fonts-noto-cjk is installed by scripts/install-deps.sh")
}

#[test]
fn a_face_of_a_collection_is_found_by_its_name_in_any_case() {
    let bytes = noto();
    let names = face_names(&bytes);
    assert!(names.len() >= 5, "{names:?}");
    let jp = face_index(&bytes, "Noto Sans CJK JP").expect("the JP face");
    let kr = face_index(&bytes, "noto sans cjk kr").expect("the KR face");
    assert_ne!(jp, kr);
    assert!(
        names[jp].iter().any(|n| n == "Noto Sans CJK JP"),
        "{names:?}"
    );
    assert_eq!(face_index(&bytes, "Meiryo"), None);
    // One face, no collection: IPAex names itself in English and in Japanese.
    let ipaex = std::fs::read(IPAEX).expect("fonts-ipaexfont-gothic is installed");
    assert_eq!(face_index(&ipaex, "IPAexGothic"), Some(0));
    assert_eq!(face_index(&ipaex, "IPAexゴシック"), Some(0));
}

#[test]
fn the_users_font_is_a_path_an_index_or_a_family() {
    assert_eq!(
        FontSource::parse(r"C:\Windows\Fonts\meiryo.ttc#Meiryo UI"),
        FontSource {
            path: r"C:\Windows\Fonts\meiryo.ttc".into(),
            face: FaceChoice::Named("Meiryo UI".into())
        }
    );
    assert_eq!(
        FontSource::parse("/fonts/x.ttc#2").face,
        FaceChoice::Index(2)
    );
    assert_eq!(FontSource::parse("/fonts/x.ttf").face, FaceChoice::Index(0));
    // A `#` in a folder's name is part of the path.
    assert_eq!(
        FontSource::parse("/fonts/#1/x.ttf"),
        FontSource {
            path: "/fonts/#1/x.ttf".into(),
            face: FaceChoice::Index(0)
        }
    );
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("font#2.ttf");
    std::fs::copy(IPAEX, &odd).unwrap();
    assert_eq!(
        FontSource::parse(odd.to_str().unwrap()).path,
        odd,
        "an existing file named with # is that file"
    );
}

#[test]
fn windows_fonts_come_first_each_face_by_name() {
    let sources = FontSource::candidates(Some(Path::new(r"C:\Windows\Fonts")));
    let shown: Vec<String> = sources
        .iter()
        .map(|s| format!("{}#{:?}", s.path.display(), s.face))
        .collect();
    assert!(shown[0].contains("YuGothR.ttc") && shown[0].contains("Named(\"Yu Gothic\")"));
    assert!(
        shown[2].contains("meiryo.ttc") && shown[2].contains("Named(\"Meiryo\")"),
        "{shown:?}"
    );
    assert!(shown[3].contains("msgothic.ttc") && shown[3].contains("MS Gothic"));
    assert!(shown[4].contains("NotoSansCJK"), "then Debian's: {shown:?}");
    assert!(
        FontSource::candidates(None)[0]
            .path
            .ends_with("NotoSansCJK-Regular.ttc")
    );
}

#[test]
fn a_windows_collection_without_the_face_is_passed_over_and_the_next_font_drawn_with() {
    // A fonts folder where meiryo.ttc is some other collection: its "Meiryo" face is not there.
    let folder = tempfile::tempdir().unwrap();
    std::fs::copy(NOTO, folder.path().join("meiryo.ttc")).unwrap();
    std::fs::copy(IPAEX, folder.path().join("msgothic.ttc")).unwrap();
    let present: Vec<FontSource> = FontSource::candidates(Some(folder.path()))
        .into_iter()
        .filter(|s| s.path.is_file())
        .collect();
    assert_eq!(present.len(), 4, "two in the folder, two of Debian's");
    let fonts = Fonts::with_preference_among(None, present).unwrap();
    let listed = format!("{fonts:?}");
    assert!(!listed.contains("meiryo.ttc"), "{listed}");
    assert!(listed.contains("NotoSansCJK-Regular.ttc#0"), "{listed}");

    // Named by the person, the same wrong face is an error that says what the file has.
    let named = format!("{}#Meiryo", folder.path().join("meiryo.ttc").display());
    let err = Fonts::with_preference_among(Some(&named), Vec::new()).unwrap_err();
    let err = err.to_string();
    assert!(
        err.contains("no face named 'Meiryo'") && err.contains("Noto Sans CJK JP"),
        "{err}"
    );
}

#[test]
fn the_korean_face_is_chosen_when_asked_for_by_name() {
    let named = format!("{NOTO}#Noto Sans CJK KR");
    let fonts = Fonts::with_preference_among(Some(&named), Vec::new()).unwrap();
    let kr = face_index(&noto(), "Noto Sans CJK KR").unwrap();
    assert_eq!(
        format!("{fonts:?}"),
        format!("[\"NotoSansCJK-Regular.ttc#{kr}\"]")
    );
}

/// A collection whose header claims four billion faces (hostile, or cut short) is answered at
/// once: no face of that name, and the file has none to list.
#[test]
fn a_collection_header_claiming_billions_of_faces_is_not_believed() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = dir.path().join("meiryo.ttc");
    let mut bytes = b"ttcf\x00\x01\x00\x00\xFF\xFF\xFF\xFF".to_vec();
    bytes.extend([0u8; 64]);
    std::fs::write(&hostile, &bytes).unwrap();
    assert_eq!(
        face_names(&bytes).len(),
        16,
        "as many as 64 bytes of offsets hold"
    );
    let named = format!("{}#Meiryo", hostile.display());
    let err = Fonts::with_preference_among(Some(&named), Vec::new())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no face named 'Meiryo'"), "{err}");
}
