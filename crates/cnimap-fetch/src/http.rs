//! HTTP downloads into a `.part` file: resumed with a Range request when a partial file is
//! there, with a read timeout, a progress line, and a clear error for a moved source.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::Duration;

use crate::error::FileError;
use crate::progress::Progress;

/// An HTTP client for downloads.
pub struct Client {
    agent: ureq::Agent,
    quiet: bool,
}

/// A finished download: how many bytes the `.part` file holds and how many came from an earlier
/// run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Downloaded {
    /// Bytes in the `.part` file.
    pub size: u64,
    /// Bytes that were already there (resumed).
    pub resumed_from: u64,
}

impl Client {
    /// A client that gives up when the server sends nothing for `read_timeout`.
    pub fn new(read_timeout: Duration, quiet: bool) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_per_read(Some(read_timeout))
            .timeout_recv_response(Some(read_timeout))
            .user_agent(concat!("cnimap-fetch/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            agent: ureq::Agent::new_with_config(config),
            quiet,
        }
    }

    /// Downloads `url` into `part`, continuing a partial `part` with a Range request. `path` is the
    /// data file it is for (for messages), `label` the progress label, `expected` its size when
    /// known. The caller verifies the result and renames it into place.
    pub fn download(
        &self,
        path: &str,
        label: &str,
        url: &str,
        part: &Path,
        expected: Option<u64>,
    ) -> Result<Downloaded, FileError> {
        let io_err = |what, source| FileError::Io {
            path: path.into(),
            what,
            file: part.into(),
            source,
        };
        let mut start = match std::fs::metadata(part) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
            Err(e) => return Err(io_err("cannot read", e)),
        };
        if let Some(e) = expected {
            if start == e {
                return Ok(Downloaded {
                    size: e,
                    resumed_from: e,
                });
            }
            if start > e {
                remove(part).map_err(|e| io_err("cannot remove", e))?;
                start = 0;
            }
        }
        // At most two requests: a Range request the server refuses is retried once from zero.
        for _ in 0..2 {
            let mut req = self.agent.get(url);
            if start > 0 {
                req = req.header("Range", &format!("bytes={start}-"));
            }
            let network = |got: u64, source: io::Error| FileError::Network {
                path: path.into(),
                url: url.into(),
                got,
                resume: if got > 0 {
                    ", kept the partial file: run again to resume"
                } else {
                    ""
                },
                source,
            };
            let resp = req
                .call()
                .map_err(|e| network(start, io::Error::other(e)))?;
            let status = resp.status().as_u16();
            let append = match status {
                206 if start > 0 => {
                    let range = resp
                        .headers()
                        .get("content-range")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    if !range.starts_with(&format!("bytes {start}-")) {
                        // A range we did not ask for: start again from zero.
                        remove(part).map_err(|e| io_err("cannot remove", e))?;
                        start = 0;
                        continue;
                    }
                    true
                }
                200 => false,
                416 if start > 0 => {
                    remove(part).map_err(|e| io_err("cannot remove", e))?;
                    start = 0;
                    continue;
                }
                404 | 410 => {
                    remove(part).map_err(|e| io_err("cannot remove", e))?;
                    return Err(FileError::Moved {
                        path: path.into(),
                        url: url.into(),
                        status,
                    });
                }
                _ => {
                    return Err(FileError::Http {
                        path: path.into(),
                        url: url.into(),
                        status,
                    })
                }
            };
            if !append {
                start = 0;
            }
            if let Some(parent) = part.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io_err("cannot create", e))?;
            }
            let mut file = OpenOptions::new()
                .create(true)
                .write(true)
                .append(append)
                .truncate(!append)
                .open(part)
                .map_err(|e| io_err("cannot write", e))?;
            let total = expected.or_else(|| {
                resp.headers()
                    .get("content-length")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok())
                    .map(|n| n + start)
            });
            let mut progress = Progress::new(label.into(), total, start, self.quiet);
            let mut body = resp.into_body().into_reader();
            let copied = copy(&mut body, &mut file, &mut progress);
            progress.finish();
            let got = start + copied.as_ref().map_or_else(|(n, _)| *n, |n| *n);
            file.sync_all().map_err(|e| io_err("cannot write", e))?;
            return match copied {
                Ok(_) => Ok(Downloaded {
                    size: got,
                    resumed_from: start,
                }),
                Err((_, CopyError::Read(e))) => {
                    if got == 0 {
                        // Nothing to resume from: leave no empty file behind.
                        drop(file);
                        remove(part).map_err(|e| io_err("cannot remove", e))?;
                    }
                    Err(network(got, e))
                }
                Err((_, CopyError::Write(e))) => Err(io_err("cannot write", e)),
            };
        }
        Err(FileError::Http {
            path: path.into(),
            url: url.into(),
            status: 416,
        })
    }
}

enum CopyError {
    Read(io::Error),
    Write(io::Error),
}

/// Copies `from` into `to`; on error also says how many bytes were written.
fn copy(
    from: &mut impl Read,
    to: &mut File,
    progress: &mut Progress,
) -> Result<u64, (u64, CopyError)> {
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = match from.read(&mut buf) {
            Ok(0) => return Ok(n),
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err((n, CopyError::Read(e))),
        };
        to.write_all(&buf[..k])
            .map_err(|e| (n, CopyError::Write(e)))?;
        n += k as u64;
        progress.add(k as u64);
    }
}

/// Removes a file; a file that is not there is fine.
pub fn remove(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
