//! Just enough HTTP/1.1 for a local explorer: read one request head within
//! fixed limits, answer it, close the connection.
//!
//! Parsing is httparse's; the limits are ours. A request head larger than
//! [`MAX_HEAD`] is refused (414 if the request line alone is too long, 431
//! otherwise) without reading the rest, and a silent client is dropped after
//! [`READ_TIMEOUT`]. A body (an uploaded trace) is read only as far as its
//! `Content-Length` says and at most [`MAX_BODY`]; a larger one is refused
//! (413). Every response closes its connection, so no request can
//! hold a worker for long.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

/// The largest request head (request line and headers) read.
pub const MAX_HEAD: usize = 16 * 1024;
/// The largest request body read: an uploaded trace.
pub const MAX_BODY: usize = 8 * 1024 * 1024;
/// How long a client may take to send its request head.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// After answering, what is left of a refused request is read and dropped,
/// up to this much, so that closing does not reset the connection before
/// the client has read the answer.
const MAX_DRAIN: usize = 1024 * 1024;
const DRAIN_TIMEOUT: Duration = Duration::from_secs(1);

/// What the explorer needs of a request.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target as sent: a path and maybe a query, not decoded.
    pub target: String,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body, as long as `Content-Length` says (empty without one).
    pub body: Vec<u8>,
}

/// Why a request was not read; each is answered with its status.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The request line alone is longer than [`MAX_HEAD`].
    UriTooLong,
    /// The head is longer than [`MAX_HEAD`], or has too many headers.
    HeadTooLarge,
    /// Not HTTP/1.x.
    Malformed,
    /// The body is longer than [`MAX_BODY`].
    BodyTooLarge,
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::UriTooLong => 414,
            Refusal::HeadTooLarge => 431,
            Refusal::Malformed => 400,
            Refusal::BodyTooLarge => 413,
        }
    }
}

/// Reads one request head. `Ok(None)`: the client closed or went silent
/// before sending one, and there is nobody to answer.
pub fn read_request(stream: &mut TcpStream) -> io::Result<Option<Result<Request, Refusal>>> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let mut buf = vec![0u8; MAX_HEAD];
    let mut len = 0;
    loop {
        match parse(&buf[..len]) {
            Parsed::Done(mut request, head_len, content_length) => {
                if content_length > MAX_BODY {
                    return Ok(Some(Err(Refusal::BodyTooLarge)));
                }
                let mut body = buf[head_len..len].to_vec();
                body.truncate(content_length);
                while body.len() < content_length {
                    let mut chunk = vec![0u8; (content_length - body.len()).min(64 * 1024)];
                    match stream.read(&mut chunk) {
                        Ok(0) => return Ok(None),
                        Ok(n) => body.extend_from_slice(&chunk[..n]),
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(_) => return Ok(None),
                    }
                }
                request.body = body;
                return Ok(Some(Ok(request)));
            }
            Parsed::Bad(refusal) => return Ok(Some(Err(refusal))),
            Parsed::Partial if len == MAX_HEAD => {
                let line_ended = buf[..len].windows(2).any(|w| w == b"\r\n");
                return Ok(Some(Err(if line_ended {
                    Refusal::HeadTooLarge
                } else {
                    Refusal::UriTooLong
                })));
            }
            Parsed::Partial => {}
        }
        let n = match stream.read(&mut buf[len..]) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(None)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(None);
        }
        len += n;
    }
}

enum Parsed {
    /// The request (its body not yet read), the head's length, and the
    /// body's (`Content-Length`, 0 without one).
    Done(Request, usize, usize),
    Partial,
    Bad(Refusal),
}

fn parse(bytes: &[u8]) -> Parsed {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(bytes) {
        Ok(httparse::Status::Complete(head_len)) => {
            let header = |name: &str| {
                req.headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case(name))
                    .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
            };
            let content_length = match header("content-length") {
                None => 0,
                Some(v) => match v.parse::<usize>() {
                    Ok(n) => n,
                    // Too large to say is too large to read.
                    Err(_) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
                        return Parsed::Bad(Refusal::BodyTooLarge)
                    }
                    Err(_) => return Parsed::Bad(Refusal::Malformed),
                },
            };
            let content_type = header("content-type");
            match (req.method, req.path) {
                (Some(method), Some(target)) => Parsed::Done(
                    Request {
                        method: method.to_string(),
                        target: target.to_string(),
                        content_type,
                        body: Vec::new(),
                    },
                    head_len,
                    content_length,
                ),
                _ => Parsed::Bad(Refusal::Malformed),
            }
        }
        Ok(httparse::Status::Partial) => Parsed::Partial,
        Err(httparse::Error::TooManyHeaders) => Parsed::Bad(Refusal::HeadTooLarge),
        Err(_) => Parsed::Bad(Refusal::Malformed),
    }
}

/// An answer.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Extra headers, such as `Location` or `Allow`.
    pub headers: Vec<(&'static str, String)>,
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type,
            body: body.into(),
            headers: Vec::new(),
        }
    }

    pub fn html(status: u16, body: String) -> Response {
        Response::new(status, "text/html; charset=utf-8", body)
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }
}

/// The reason phrase of the statuses the explorer sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        303 => "See Other",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// The explorer's pages run only its own script and style, and may not be
/// framed by another site.
const SECURITY_HEADERS: &str = "X-Content-Type-Options: nosniff\r\n\
    Referrer-Policy: no-referrer\r\n\
    X-Frame-Options: DENY\r\n\
    Content-Security-Policy: default-src 'none'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'\r\n";

/// Writes `response` (without its body for HEAD) and closes the connection,
/// first reading off what the client may still be sending (see
/// [`MAX_DRAIN`]).
pub fn respond(stream: &mut TcpStream, response: &Response, head_only: bool) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n{SECURITY_HEADERS}",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len(),
    );
    for (name, value) in &response.headers {
        // Header values are built by the explorer, but never let one end
        // the head early.
        let value: String = value.chars().filter(|c| !c.is_control()).collect();
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&response.body)?;
    }
    stream.flush()?;
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(DRAIN_TIMEOUT));
    let mut sink = [0u8; 8192];
    let mut drained = 0;
    while drained < MAX_DRAIN {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
    Ok(())
}

/// The file of a form posted as `multipart/form-data` (the first part
/// that has a file name, or else the first part), or the whole body of any
/// other post; `None` if a multipart body does not parse.
pub fn posted_file<'a>(content_type: Option<&str>, body: &'a [u8]) -> Option<&'a [u8]> {
    let Some(boundary) = content_type.and_then(|t| {
        let (kind, params) = t.split_once(';')?;
        if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
            return None;
        }
        params.split(';').find_map(|p| {
            let (k, v) = p.trim().split_once('=')?;
            k.eq_ignore_ascii_case("boundary")
                .then(|| v.trim_matches('"').to_string())
        })
    }) else {
        return Some(body);
    };
    let delimiter = format!("--{boundary}");
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|i| i + from)
    };
    let mut parts = Vec::new();
    let mut at = find(body, delimiter.as_bytes(), 0)? + delimiter.len();
    loop {
        // After a delimiter: `--` ends the body, else a line break and a part.
        if body.get(at..at + 2) == Some(b"--") {
            break;
        }
        let head_end = find(body, b"\r\n\r\n", at)?;
        let head = String::from_utf8_lossy(&body[at..head_end]).to_ascii_lowercase();
        let content = head_end + 4;
        let end = find(body, format!("\r\n{delimiter}").as_bytes(), content)?;
        parts.push((head.contains("filename="), &body[content..end]));
        at = end + 2 + delimiter.len();
    }
    parts
        .iter()
        .find(|(file, _)| *file)
        .or(parts.first())
        .map(|(_, content)| *content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posted_file_is_found_in_its_form() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n\
            --XyZ\r\nContent-Disposition: form-data; name=\"trace\"; filename=\"t.itf.json\"\r\n\
            Content-Type: application/json\r\n\r\n{\"states\": []}\r\n--XyZ--\r\n";
        assert_eq!(
            posted_file(Some("multipart/form-data; boundary=XyZ"), body),
            Some(&b"{\"states\": []}"[..])
        );
        assert_eq!(
            posted_file(Some("application/json"), b"{}"),
            Some(&b"{}"[..])
        );
        assert_eq!(posted_file(None, b"x"), Some(&b"x"[..]));
        for bad in [&b""[..], b"--XyZ\r\nno end", b"--XyZ\r\n\r\nno closing"] {
            assert_eq!(
                posted_file(Some("multipart/form-data; boundary=XyZ"), bad),
                None
            );
        }
    }

    #[test]
    fn parses_a_request_line_and_refuses_junk() {
        let Parsed::Done(r, _, 0) = parse(b"GET /path/0/1?loop=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        else {
            panic!("not parsed");
        };
        assert_eq!(r.method, "GET");
        assert_eq!(r.target, "/path/0/1?loop=1");
        assert!(matches!(parse(b"GET / HTTP/1.1\r\nHost"), Parsed::Partial));
        assert!(matches!(
            parse(b"\x16\x03\x01 tls hello\r\n\r\n"),
            Parsed::Bad(Refusal::Malformed)
        ));
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\nBad Header\r\n\r\n"),
            Parsed::Bad(Refusal::Malformed)
        ));
        let many: String = (0..100).map(|i| format!("X-{i}: y\r\n")).collect();
        assert!(matches!(
            parse(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes()),
            Parsed::Bad(Refusal::HeadTooLarge)
        ));
    }
}
