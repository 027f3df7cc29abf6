//! Just enough HTTP/1.1 for a local explorer: read one request head within
//! fixed limits, answer it, close the connection.
//!
//! Parsing is httparse's; the limits are ours. A request head larger than
//! [`MAX_HEAD`] is refused (414 if the request line alone is too long, 431
//! otherwise) without reading the rest, and a silent client is dropped after
//! [`READ_TIMEOUT`]. Every response closes its connection, so no request can
//! hold a worker for long.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

/// The largest request head (request line and headers) read.
pub const MAX_HEAD: usize = 16 * 1024;
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
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::UriTooLong => 414,
            Refusal::HeadTooLarge => 431,
            Refusal::Malformed => 400,
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
            Parsed::Done(request) => return Ok(Some(Ok(request))),
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
    Done(Request),
    Partial,
    Bad(Refusal),
}

fn parse(bytes: &[u8]) -> Parsed {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(bytes) {
        Ok(httparse::Status::Complete(_)) => match (req.method, req.path) {
            (Some(method), Some(target)) => Parsed::Done(Request {
                method: method.to_string(),
                target: target.to_string(),
            }),
            _ => Parsed::Bad(Refusal::Malformed),
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_request_line_and_refuses_junk() {
        let Parsed::Done(r) = parse(b"GET /path/0/1?loop=1 HTTP/1.1\r\nHost: x\r\n\r\n") else {
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
