//! Reading a file a pull request may have put there, safely: only regular
//! files, never a FIFO (which would hang), a device (`/dev/zero` never
//! ends) or a `/proc` entry (`/proc/self/environ` holds CI's secrets); no
//! symbolic link that leads out of the folder it is in; and no more than a
//! size limit. Every file spof reads goes through [`read_file`].

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// How much spof reads of one file, by default: 256 MiB (about 1.8 million
/// services). `--max-file-mb` raises it.
pub const DEFAULT_MAX_BYTES: u64 = 256 << 20;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// The operating system's error (missing, no permission, ...).
    Io(std::io::Error),
    /// A folder, FIFO, socket or device.
    NotRegular(&'static str),
    /// Under `/proc`, `/sys` or `/dev`: files that are not files.
    SystemFile(PathBuf),
    /// A symbolic link to somewhere outside the folder of the path as given.
    LinkOutside(PathBuf),
    /// Larger than the limit.
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotRegular(kind) => write!(f, "it is a {kind}, not a regular file"),
            ReadError::SystemFile(p) => write!(
                f,
                "it leads to {}, a system file spof never reads",
                p.display()
            ),
            ReadError::LinkOutside(p) => write!(
                f,
                "it is a symbolic link to {}, outside its folder; spof does not follow it",
                p.display()
            ),
            ReadError::TooLarge { limit } => write!(
                f,
                "it is larger than {} MiB (raise the limit with --max-file-mb)",
                limit >> 20
            ),
        }
    }
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// Reads a regular file of at most `limit` bytes. A symbolic link on the
/// way is followed only when it leads inside the current folder's tree or,
/// for a link that is the last part of the path, inside its own folder: so
/// `architecture/evil.yaml -> /proc/self/environ` and a linked folder
/// `architecture -> /etc` are refused, while `current.yaml -> v2/a.yaml`
/// and `/tmp/x.yaml` are read.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let (file, len) = open_file(path, limit)?;
    let mut bytes = Vec::with_capacity(len as usize);
    // A file may grow while it is read: never read past the limit.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Opens a file as [`read_file`] reads it (same checks, same refusals),
/// with its length, for a reader that streams it. A reader must still stop
/// past `limit`: the file may grow while it is read.
pub fn open_file(path: &Path, limit: u64) -> Result<(std::fs::File, u64), ReadError> {
    let real = std::fs::canonicalize(path)?;
    for system in ["/proc", "/sys", "/dev"] {
        if real.starts_with(system) {
            return Err(ReadError::SystemFile(real));
        }
    }
    if real != lexical(path)? && !link_stays_home(path, &real)? {
        return Err(ReadError::LinkOutside(real));
    }
    let file = open_without_blocking(&real)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok((file, meta.len()))
}

/// The absolute path with `.` and `..` worked out by name alone: what the
/// path means when no symbolic link is on the way.
fn lexical(path: &Path) -> std::io::Result<PathBuf> {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in std::path::absolute(path)?.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    Ok(out)
}

/// A path that goes through a symbolic link is read when it resolves
/// inside the current folder's tree (a repository's own links), or when
/// only its last part is a link and it points inside its own folder.
fn link_stays_home(path: &Path, real: &Path) -> std::io::Result<bool> {
    if real.starts_with(std::fs::canonicalize(".")?) {
        return Ok(true);
    }
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    let folder = folder.unwrap_or(Path::new("."));
    let folder_is_plain = std::fs::canonicalize(folder)? == lexical(folder)?;
    Ok(folder_is_plain && real.starts_with(std::fs::canonicalize(folder)?))
}

/// Opens for reading without blocking: a FIFO swapped in after the checks
/// opens at once (and is then refused as not a regular file).
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK on Linux and the BSDs.
        const O_NONBLOCK: i32 = if cfg!(target_os = "linux") {
            0o4000
        } else {
            0x0004
        };
        options.custom_flags(O_NONBLOCK);
    }
    options.open(path)
}

fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_socket() {
            return "socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "device";
        }
    }
    if t.is_dir() {
        "folder"
    } else {
        "special file"
    }
}

/// Whether `path` (resolved) lies inside the folder `root` (resolved): for
/// files another file names (Backstage `Location` targets, includes).
pub fn is_inside(root: &Path, path: &Path) -> bool {
    match (std::fs::canonicalize(root), std::fs::canonicalize(path)) {
        (Ok(root), Ok(path)) => path.starts_with(root),
        _ => false,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("spof-read-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn only_regular_files_inside_their_folder_are_read() {
        let dir = scratch("kinds");
        std::fs::write(dir.join("a.yaml"), "version: 1\n").unwrap();
        std::os::unix::fs::symlink("a.yaml", dir.join("inside.yaml")).unwrap();
        std::os::unix::fs::symlink("/proc/self/environ", dir.join("env.yaml")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", dir.join("out.yaml")).unwrap();
        std::os::unix::fs::symlink("/etc", dir.join("etc")).unwrap();
        let fifo = dir.join("fifo.yaml");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        let limit = DEFAULT_MAX_BYTES;
        assert_eq!(
            read_file(&dir.join("a.yaml"), limit).unwrap(),
            b"version: 1\n"
        );
        assert!(read_file(&dir.join("inside.yaml"), limit).is_ok());
        assert!(matches!(
            read_file(&dir.join("env.yaml"), limit),
            Err(ReadError::SystemFile(_))
        ));
        assert!(matches!(
            read_file(&dir.join("out.yaml"), limit),
            Err(ReadError::LinkOutside(_))
        ));
        let through = dir.join("etc").join("hostname");
        assert!(matches!(
            read_file(&through, limit),
            Err(ReadError::LinkOutside(_))
        ));
        let dotted = dir.join("sub").join("..").join("a.yaml");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        assert!(read_file(&dotted, limit).is_ok());
        assert!(matches!(
            read_file(&fifo, limit),
            Err(ReadError::NotRegular("FIFO"))
        ));
        assert!(matches!(
            read_file(Path::new("/dev/zero"), limit),
            Err(ReadError::SystemFile(_))
        ));
        assert!(matches!(
            read_file(&dir, limit),
            Err(ReadError::NotRegular("folder"))
        ));
        assert!(matches!(
            read_file(&dir.join("a.yaml"), 4),
            Err(ReadError::TooLarge { limit: 4 })
        ));
        assert!(is_inside(&dir, &dir.join("a.yaml")));
        assert!(!is_inside(&dir, Path::new("/etc/hostname")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
