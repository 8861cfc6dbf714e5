//! The Windows API calls behind the platform's decisions. Each is a plain call with arguments
//! built just before it; nothing here keeps a handle or a pointer past the call.
#![allow(unsafe_code)]

use crate::share::DriveKind;
use windows_sys::Win32::Globalization::GetACP;
use windows_sys::Win32::Storage::FileSystem::GetDriveTypeW;
use windows_sys::Win32::System::Console::GetConsoleOutputCP;
use windows_sys::Win32::System::Threading::{
    GetCurrentThread, SetThreadPriority, THREAD_PRIORITY_BELOW_NORMAL,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{MB_ICONERROR, MB_OK, MessageBoxW};

/// DRIVE_REMOTE, from fileapi.h.
const DRIVE_REMOTE: u32 = 4;

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

/// Whether a drive letter is a mapped network drive.
pub(crate) fn drive_kind(letter: char) -> DriveKind {
    let root = wide(&format!("{letter}:\\"));
    // SAFETY: `root` is a NUL-terminated UTF-16 string that outlives the call, which only reads it.
    let kind = unsafe { GetDriveTypeW(root.as_ptr()) };
    if kind == DRIVE_REMOTE {
        DriveKind::Network
    } else {
        DriveKind::Local
    }
}

/// The console's output code page, or the ANSI code page when the process has no console.
pub(crate) fn output_code_page() -> Option<u32> {
    // SAFETY: neither call takes arguments; GetConsoleOutputCP answers 0 without a console.
    let console = unsafe { GetConsoleOutputCP() };
    if console != 0 {
        return Some(console);
    }
    // SAFETY: as above.
    Some(unsafe { GetACP() })
}

/// A modal error message box with one OK button, owned by no window.
pub(crate) fn message_box(title: &str, text: &str) {
    let title = wide(title);
    let text = wide(text);
    // SAFETY: both strings are NUL-terminated UTF-16 that outlive the call; a null owner window
    // is allowed and makes the box stand alone.
    unsafe {
        MessageBoxW(
            std::ptr::null_mut(),
            text.as_ptr(),
            title.as_ptr(),
            MB_OK | MB_ICONERROR,
        );
    }
}

/// Lowers the calling thread below normal priority, for long work (`priority.rs`).
pub(crate) fn lower_this_thread() -> Result<(), String> {
    // SAFETY: GetCurrentThread returns a pseudo-handle for the calling thread that needs no
    // closing; SetThreadPriority only reads its two arguments.
    let done = unsafe { SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL) };
    if done == 0 {
        Err(format!(
            "lowering the thread's priority: {}",
            std::io::Error::last_os_error()
        ))
    } else {
        Ok(())
    }
}
