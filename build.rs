//! Embeds the built console (`www/dist/`, made by `make console`) in the `vexil` binary when
//! the `server` feature is on, so that `vexil serve` serves it with nothing else installed. A
//! build without it still works: the service then says at `/` how to get the console.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_SERVER");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut files = Vec::new();
    if std::env::var_os("CARGO_FEATURE_SERVER").is_some() {
        let manifest =
            PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
        let dist = manifest.join("www").join("dist");
        // A built console is rescanned by cargo, so a new build is embedded; before one exists,
        // www/ is watched for it to appear (not node_modules on every build once it has). A
        // packaged crate has no www/: watching a missing path would rerun this on every build.
        let watched = if dist.is_dir() {
            dist.clone()
        } else {
            manifest.join("www")
        };
        if watched.is_dir() {
            println!("cargo:rerun-if-changed={}", watched.display());
        }
        if dist.join("index.html").is_file() {
            collect(&dist, &dist, &mut files);
        }
    }
    files.sort();
    let mut source = String::from("/// The console's files: path under `/`, contents.\npub static FILES: &[(&str, &[u8])] = &[\n");
    for (name, path) in &files {
        let _ = writeln!(
            source,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    source.push_str("];\n");
    std::fs::write(out.join("console_files.rs"), source).expect("OUT_DIR is writable");
}

/// Every file under `dir`, as (path relative to `root` with `/`, absolute path).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let name: Vec<String> = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            files.push((name.join("/"), path));
        }
    }
}
