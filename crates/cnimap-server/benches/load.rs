//! HTTP load generator for a running `cnimap serve` on loopback: plain HTTP/1.1 keep-alive over
//! `std::net::TcpStream`, one OS thread per connection, every request timed and filed under its
//! endpoint class so the report has p50/p99 per endpoint.
//!
//! Driven by `scripts/bench.sh`; by hand:
//!
//! ```text
//! cargo bench -p cnimap-server --bench load -- tiles --addr 127.0.0.1:8787 --out /tmp/lists
//! cargo bench -p cnimap-server --bench load -- mix --addr 127.0.0.1:8787 --queries q.txt \
//!     --connections 256 --seconds 60
//! ```
//!
//! `tiles`: per zoom (6, 8, 10, 12, 14) builds a list of real `lsoa21` tile paths over England
//! (every tile inside the TileJSON bounds up to z10, city viewports above), writes it to
//! `--out/tiles_z{z}.txt` (for wrk) and requests each tile once (cold: cut on demand) and again
//! (warm: from the cache), reporting requests per second, p50/p99 and gzip sizes.
//!
//! `mix`: for `--seconds`, every connection repeatedly picks an action from a weighted mix:
//! a map viewport (a 5 x 4 block of tiles at a random zoom 6..=14 around a city), a values
//! document, a search (real postcodes and place names from `--queries`) or an area detail (real
//! codes from `/api/layers`). Any status outside 200..=399 or any socket error is an error.

#![allow(missing_docs)] // A bench binary: nothing here is public API.
#![allow(clippy::print_stdout)] // The report is the output.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// English city centres (lon, lat) for viewports.
const CITIES: &[(&str, f64, f64)] = &[
    ("London", -0.1276, 51.5072),
    ("Birmingham", -1.8904, 52.4862),
    ("Manchester", -2.2426, 53.4808),
    ("Leeds", -1.5491, 53.8008),
    ("Liverpool", -2.9916, 53.4084),
    ("Newcastle", -1.6178, 54.9783),
    ("Sheffield", -1.4701, 53.3811),
    ("Bristol", -2.5879, 51.4545),
    ("Nottingham", -1.1581, 52.9548),
    ("Leicester", -1.1398, 52.6369),
    ("Coventry", -1.5197, 52.4068),
    ("Hull", -0.3367, 53.7676),
    ("Bradford", -1.7594, 53.7960),
    ("Stoke", -2.1794, 53.0027),
    ("Plymouth", -4.1427, 50.3755),
    ("Southampton", -1.4044, 50.9097),
    ("Norwich", 1.2974, 52.6309),
    ("Middlesbrough", -1.2348, 54.5742),
    ("Blackpool", -3.0357, 53.8175),
    ("Clacton", 1.1550, 51.7890),
    ("Cambridge", 0.1218, 52.2053),
    ("York", -1.0815, 53.9600),
    ("Carlisle", -2.9389, 54.8925),
    ("Truro", -5.0510, 50.2632),
];

const ZOOMS: [u8; 5] = [6, 8, 10, 12, 14];

fn main() -> anyhow::Result<()> {
    // `cargo bench` appends `--bench`; ignore it.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(mode) = args.first() else {
        bail!("usage: load (tiles|mix) --addr HOST:PORT [...]");
    };
    let opts = Opts::parse(&args[1..])?;
    match mode.as_str() {
        "tiles" => tiles(&opts),
        "mix" => mix(&opts),
        other => bail!("unknown mode {other:?}: use tiles or mix"),
    }
}

/// Command-line options (`--key value`).
struct Opts {
    addr: String,
    out: Option<String>,
    queries: Option<String>,
    connections: usize,
    seconds: u64,
    seed: u64,
    /// `mix` only: restrict to one action (`tiles`, `values`, `search`, `area`).
    only: Option<String>,
}

impl Opts {
    fn parse(args: &[String]) -> anyhow::Result<Opts> {
        let mut o = Opts {
            addr: "127.0.0.1:8787".into(),
            out: None,
            queries: None,
            connections: 64,
            seconds: 60,
            seed: 20_261_125,
            only: None,
        };
        let mut it = args.iter();
        while let Some(k) = it.next() {
            let v = it.next().with_context(|| format!("{k} needs a value"))?;
            match k.as_str() {
                "--addr" => o.addr.clone_from(v),
                "--out" => o.out = Some(v.clone()),
                "--queries" => o.queries = Some(v.clone()),
                "--connections" => o.connections = v.parse()?,
                "--seconds" => o.seconds = v.parse()?,
                "--seed" => o.seed = v.parse()?,
                "--only" => o.only = Some(v.clone()),
                _ => bail!("unknown option {k}"),
            }
        }
        if !o.addr.starts_with("127.") && !o.addr.starts_with("localhost") {
            bail!("loopback addresses only, not {}", o.addr);
        }
        Ok(o)
    }
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    addr: String,
    gzip: bool,
    reader: Option<BufReader<TcpStream>>,
}

/// What one request got back.
struct Reply {
    status: u16,
    /// Bytes on the wire (gzip when asked for).
    body_bytes: usize,
    /// The body, when asked to keep it.
    body: Vec<u8>,
}

impl Conn {
    /// A connection sending `Accept-Encoding: gzip` (as a browser does) when `gzip`.
    fn new(addr: &str, gzip: bool) -> Conn {
        Conn {
            addr: addr.to_string(),
            gzip,
            reader: None,
        }
    }

    /// GETs `path`, keeping the body only if `keep`. Reconnects after an error or a close.
    fn get(&mut self, path: &str, keep: bool) -> std::io::Result<Reply> {
        let result = self.try_get(path, keep);
        if result.is_err() {
            self.reader = None;
        }
        result
    }

    fn try_get(&mut self, path: &str, keep: bool) -> std::io::Result<Reply> {
        if self.reader.is_none() {
            let s = TcpStream::connect(&self.addr)?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(Duration::from_secs(30)))?;
            self.reader = Some(BufReader::with_capacity(64 << 10, s));
        }
        let Some(reader) = self.reader.as_mut() else {
            return Err(std::io::Error::other("no connection"));
        };
        let encoding = if self.gzip {
            "Accept-Encoding: gzip\r\n"
        } else {
            ""
        };
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\n{encoding}User-Agent: cnimap-load\r\n\r\n",
            self.addr
        );
        reader.get_mut().write_all(req.as_bytes())?;
        let (reply, close) = read_reply(reader, keep)?;
        if close {
            self.reader = None;
        }
        Ok(reply)
    }
}

/// Reads one response; `true` if the server will close the connection.
fn read_reply(reader: &mut BufReader<TcpStream>, keep: bool) -> std::io::Result<(Reply, bool)> {
    let mut line = String::new();
    read_line(reader, &mut line)?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(format!("bad status line {line:?}")))?;
    let mut length = None;
    let mut chunked = false;
    let mut close = false;
    loop {
        read_line(reader, &mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let Some((k, v)) = l.split_once(':') else {
            return Err(bad(format!("bad header {l:?}")));
        };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        match k.as_str() {
            "content-length" => length = v.parse::<usize>().ok(),
            "transfer-encoding" => chunked = v.eq_ignore_ascii_case("chunked"),
            "connection" => close = v.eq_ignore_ascii_case("close"),
            _ => {}
        }
    }
    let mut body = Vec::new();
    let mut body_bytes = 0;
    let no_body = status == 204 || status == 304 || (100..200).contains(&status);
    if no_body {
    } else if chunked {
        loop {
            read_line(reader, &mut line)?;
            let size_text = line.trim_end().split(';').next().unwrap_or("");
            let size = usize::from_str_radix(size_text.trim(), 16)
                .map_err(|_| bad(format!("bad chunk size {line:?}")))?;
            if size == 0 {
                loop {
                    read_line(reader, &mut line)?;
                    if line.trim_end().is_empty() {
                        break;
                    }
                }
                break;
            }
            read_body(reader, size, keep, &mut body)?;
            body_bytes += size;
            read_line(reader, &mut line)?;
        }
    } else if let Some(n) = length {
        read_body(reader, n, keep, &mut body)?;
        body_bytes = n;
    } else {
        return Err(bad("response without a length".into()));
    }
    Ok((
        Reply {
            status,
            body_bytes,
            body,
        },
        close,
    ))
}

fn bad(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}

fn read_line(reader: &mut BufReader<TcpStream>, line: &mut String) -> std::io::Result<()> {
    line.clear();
    if reader.read_line(line)? == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "connection closed",
        ));
    }
    Ok(())
}

fn read_body(
    reader: &mut BufReader<TcpStream>,
    mut n: usize,
    keep: bool,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    while n > 0 {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Err(bad("body cut short".into()));
        }
        let take = buf.len().min(n);
        if keep {
            out.extend_from_slice(&buf[..take]);
        }
        reader.consume(take);
        n -= take;
    }
    Ok(())
}

/// Fetches a JSON document (plain, not gzip).
fn fetch_json(addr: &str, path: &str) -> anyhow::Result<serde_json::Value> {
    let reply = Conn::new(addr, false).get(path, true)?;
    if reply.status != 200 {
        bail!("GET {path}: status {}", reply.status);
    }
    serde_json::from_slice(&reply.body).with_context(|| format!("GET {path}: not JSON"))
}

/// Latencies (microseconds), statuses, errors and body sizes of one endpoint class.
#[derive(Default)]
struct Stats {
    micros: Vec<u32>,
    bytes: Vec<u32>,
    statuses: BTreeMap<u16, u64>,
    socket_errors: u64,
    examples: Vec<String>,
}

impl Stats {
    fn record(&mut self, path: &str, started: Instant, reply: &std::io::Result<Reply>) {
        let us = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
        match reply {
            Ok(r) => {
                self.micros.push(us);
                *self.statuses.entry(r.status).or_default() += 1;
                if r.status != 204 {
                    self.bytes
                        .push(u32::try_from(r.body_bytes).unwrap_or(u32::MAX));
                }
                if !(200..400).contains(&r.status) && self.examples.len() < 5 {
                    self.examples.push(format!("{} {path}", r.status));
                }
            }
            Err(e) => {
                self.socket_errors += 1;
                if self.examples.len() < 5 {
                    self.examples.push(format!("{e} {path}"));
                }
            }
        }
    }

    fn merge(&mut self, other: Stats) {
        self.micros.extend(other.micros);
        self.bytes.extend(other.bytes);
        for (k, v) in other.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        self.socket_errors += other.socket_errors;
        for e in other.examples {
            if self.examples.len() < 5 {
                self.examples.push(e);
            }
        }
    }

    fn requests(&self) -> u64 {
        self.micros.len() as u64 + self.socket_errors
    }

    fn errors(&self) -> u64 {
        self.socket_errors
            + self
                .statuses
                .iter()
                .filter(|(s, _)| !(200..400).contains(*s))
                .map(|(_, n)| n)
                .sum::<u64>()
    }

    /// `(p50, p99, max)` in milliseconds.
    fn percentiles(&mut self) -> (f64, f64, f64) {
        if self.micros.is_empty() {
            return (0.0, 0.0, 0.0);
        }
        self.micros.sort_unstable();
        let at = |q: f64| {
            let i = ((self.micros.len() as f64 - 1.0) * q).round() as usize;
            f64::from(self.micros[i]) / 1000.0
        };
        (at(0.50), at(0.99), at(1.0))
    }

    fn sizes(&self) -> (f64, u32) {
        if self.bytes.is_empty() {
            return (0.0, 0);
        }
        let sum: u64 = self.bytes.iter().map(|b| u64::from(*b)).sum();
        (
            sum as f64 / self.bytes.len() as f64,
            self.bytes.iter().copied().max().unwrap_or(0),
        )
    }

    fn status_text(&self) -> String {
        self.statuses
            .iter()
            .map(|(s, n)| format!("{s}x{n}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Web Mercator tile of a point.
fn tile_of(lon: f64, lat: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let lat = lat.clamp(-85.051_128, 85.051_128).to_radians();
    let x = ((lon + 180.0) / 360.0 * n).floor().clamp(0.0, n - 1.0);
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n)
        .floor()
        .clamp(0.0, n - 1.0);
    (x as u32, y as u32)
}

/// A `w` x `h` block of tiles centred on a point.
fn viewport(lon: f64, lat: f64, z: u8, w: u32, h: u32) -> Vec<(u8, u32, u32)> {
    let (cx, cy) = tile_of(lon, lat, z);
    let max = (1u32 << z) - 1;
    let mut out = Vec::new();
    for y in cy.saturating_sub(h / 2)..=(cy.saturating_sub(h / 2) + h - 1).min(max) {
        for x in cx.saturating_sub(w / 2)..=(cx.saturating_sub(w / 2) + w - 1).min(max) {
            out.push((z, x, y));
        }
    }
    out
}

/// Real tile paths for one zoom: every tile inside `bounds` up to z10, city viewports above.
fn tile_list(layer: &str, bounds: [f64; 4], z: u8) -> Vec<String> {
    let mut tiles = Vec::new();
    if z <= 10 {
        let (x0, y0) = tile_of(bounds[0], bounds[3], z);
        let (x1, y1) = tile_of(bounds[2], bounds[1], z);
        for y in y0..=y1 {
            for x in x0..=x1 {
                tiles.push((z, x, y));
            }
        }
    } else {
        let mut seen = HashSet::new();
        for (_, lon, lat) in CITIES {
            for t in viewport(*lon, *lat, z, 8, 6) {
                if seen.insert(t) {
                    tiles.push(t);
                }
            }
        }
    }
    tiles
        .into_iter()
        .map(|(z, x, y)| format!("/tiles/{layer}/{z}/{x}/{y}.mvt"))
        .collect()
}

/// Requests every path once over `connections` connections; returns stats and wall time.
fn one_pass(addr: &str, paths: &Arc<Vec<String>>, connections: usize) -> (Stats, Duration) {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..connections.min(paths.len()).max(1))
        .map(|_| {
            let (paths, next, addr) = (Arc::clone(paths), Arc::clone(&next), addr.to_string());
            std::thread::spawn(move || {
                let mut conn = Conn::new(&addr, true);
                let mut stats = Stats::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else {
                        break;
                    };
                    let t = Instant::now();
                    let reply = conn.get(path, false);
                    stats.record(path, t, &reply);
                }
                stats
            })
        })
        .collect();
    let mut all = Stats::default();
    for h in handles {
        if let Ok(s) = h.join() {
            all.merge(s);
        }
    }
    (all, started.elapsed())
}

fn tiles(o: &Opts) -> anyhow::Result<()> {
    let tilejson = fetch_json(&o.addr, "/tiles/lsoa21.json")?;
    let b: Vec<f64> = tilejson["bounds"]
        .as_array()
        .context("TileJSON has no bounds")?
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    let bounds: [f64; 4] = b
        .try_into()
        .map_err(|_| anyhow::anyhow!("TileJSON bounds are not 4 numbers"))?;
    println!("lsoa21 bounds {bounds:?}; {} connections\n", o.connections);
    println!("| zoom | pass | tiles | non-empty | req/s | p50 ms | p99 ms | max ms | gzip bytes mean | gzip bytes max | errors |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for z in ZOOMS {
        let paths = Arc::new(tile_list("lsoa21", bounds, z));
        if let Some(dir) = &o.out {
            std::fs::create_dir_all(dir)?;
            std::fs::write(format!("{dir}/tiles_z{z}.txt"), paths.join("\n") + "\n")?;
        }
        for pass in ["cold", "warm"] {
            let (mut s, wall) = one_pass(&o.addr, &paths, o.connections);
            let (p50, p99, max) = s.percentiles();
            let (mean, biggest) = s.sizes();
            println!(
                "| z{z} | {pass} | {} | {} | {:.0} | {p50:.2} | {p99:.2} | {max:.2} | {mean:.0} | {biggest} | {} |",
                s.requests(),
                s.bytes.len(),
                s.requests() as f64 / wall.as_secs_f64(),
                s.errors(),
            );
            for e in &s.examples {
                println!("  error example: {e}");
            }
        }
    }
    Ok(())
}

/// xorshift64*: a small seeded generator, good enough to pick requests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Everything the mix picks from.
struct Mix {
    values: Vec<String>,
    searches: Vec<String>,
    areas: Vec<String>,
}

fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn load_mix(o: &Opts) -> anyhow::Result<Mix> {
    let catalogue = fetch_json(&o.addr, "/api/indicators")?;
    let values: Vec<String> = catalogue["indicators"]
        .as_array()
        .context("no indicators")?
        .iter()
        .filter_map(|i| {
            Some(format!(
                "/api/values/{}/{}",
                i["layer"].as_str()?,
                i["id"].as_str()?
            ))
        })
        .collect();
    let mut areas = Vec::new();
    for layer in ["lsoa21", "lsoa11", "ward17", "lad24", "region"] {
        let doc = fetch_json(&o.addr, &format!("/api/layers/{layer}"))?;
        areas.extend(
            doc["codes"]
                .as_array()
                .context("no codes")?
                .iter()
                .filter_map(|c| c.as_str().map(|c| format!("/api/areas/{c}"))),
        );
    }
    let path = o.queries.as_deref().context("mix needs --queries FILE")?;
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let searches: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|q| format!("/api/search?q={}", url_encode(q.trim())))
        .collect();
    if values.is_empty() || areas.is_empty() || searches.is_empty() {
        bail!(
            "nothing to request: {} values, {} areas, {} searches",
            values.len(),
            areas.len(),
            searches.len()
        );
    }
    Ok(Mix {
        values,
        searches,
        areas,
    })
}

/// Endpoint classes in report order.
const CLASSES: [&str; 6] = [
    "tile z6-8",
    "tile z9-11",
    "tile z12-14",
    "values",
    "search",
    "area",
];

fn mix(o: &Opts) -> anyhow::Result<()> {
    let mix = Arc::new(load_mix(o)?);
    // Ranges of the 0..100 pick: viewport, values, search, area.
    let range = match o.only.as_deref() {
        None => 0..100,
        Some("tiles") => 0..45,
        Some("values") => 45..60,
        Some("search") => 60..85,
        Some("area") => 85..100,
        Some(other) => bail!("--only takes tiles, values, search or area, not {other:?}"),
    };
    let deadline = Instant::now() + Duration::from_secs(o.seconds);
    let started = Instant::now();
    let handles: Vec<_> = (0..o.connections)
        .map(|i| {
            let (mix, addr, range) = (Arc::clone(&mix), o.addr.clone(), range.clone());
            let mut rng = Rng(o.seed ^ ((i as u64 + 1) * 0x9e37_79b9_7f4a_7c15));
            std::thread::spawn(move || {
                let mut conn = Conn::new(&addr, true);
                let mut stats: Vec<Stats> = CLASSES.iter().map(|_| Stats::default()).collect();
                let mut run = |class: usize, path: &str, conn: &mut Conn| {
                    let t = Instant::now();
                    let reply = conn.get(path, false);
                    stats[class].record(path, t, &reply);
                };
                while Instant::now() < deadline {
                    let pick = range.start + rng.below(range.len());
                    if pick < 45 {
                        // A viewport: about 20 tiles of one layer at one zoom near a city.
                        let z = 6 + rng.below(9) as u8;
                        let (_, lon, lat) = CITIES[rng.below(CITIES.len())];
                        let (lon, lat) = (
                            lon + (rng.unit() - 0.5) * 0.4,
                            lat + (rng.unit() - 0.5) * 0.3,
                        );
                        let layer = if rng.below(10) == 0 {
                            "ward17"
                        } else {
                            "lsoa21"
                        };
                        let class = match z {
                            0..=8 => 0,
                            9..=11 => 1,
                            _ => 2,
                        };
                        for (z, x, y) in viewport(lon, lat, z, 5, 4) {
                            if Instant::now() >= deadline {
                                break;
                            }
                            run(class, &format!("/tiles/{layer}/{z}/{x}/{y}.mvt"), &mut conn);
                        }
                    } else if pick < 60 {
                        run(3, &mix.values[rng.below(mix.values.len())], &mut conn);
                    } else if pick < 85 {
                        run(4, &mix.searches[rng.below(mix.searches.len())], &mut conn);
                    } else {
                        run(5, &mix.areas[rng.below(mix.areas.len())], &mut conn);
                    }
                }
                stats
            })
        })
        .collect();
    let mut all: Vec<Stats> = CLASSES.iter().map(|_| Stats::default()).collect();
    for h in handles {
        let Ok(stats) = h.join() else {
            bail!("a load thread panicked");
        };
        for (a, s) in all.iter_mut().zip(stats) {
            a.merge(s);
        }
    }
    let wall = started.elapsed().as_secs_f64();
    println!(
        "{} connections for {:.1} s{}; {} values documents, {} search queries, {} area codes\n",
        o.connections,
        wall,
        o.only
            .as_deref()
            .map_or(String::new(), |x| format!(", {x} only")),
        mix.values.len(),
        mix.searches.len(),
        mix.areas.len()
    );
    println!("| endpoint | requests | req/s | p50 ms | p99 ms | max ms | mean bytes | errors | statuses |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut total = Stats::default();
    for (name, s) in CLASSES.iter().zip(all.iter_mut()) {
        let (p50, p99, max) = s.percentiles();
        println!(
            "| {name} | {} | {:.0} | {p50:.2} | {p99:.2} | {max:.2} | {:.0} | {} | {} |",
            s.requests(),
            s.requests() as f64 / wall,
            s.sizes().0,
            s.errors(),
            s.status_text()
        );
    }
    for s in all {
        total.merge(s);
    }
    let (p50, p99, max) = total.percentiles();
    println!(
        "| **all** | {} | {:.0} | {p50:.2} | {p99:.2} | {max:.2} | {:.0} | {} | {} |",
        total.requests(),
        total.requests() as f64 / wall,
        total.sizes().0,
        total.errors(),
        total.status_text()
    );
    for e in &total.examples {
        println!("  error example: {e}");
    }
    println!("\nerrors: {}", total.errors());
    Ok(())
}
