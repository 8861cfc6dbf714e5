//! How the client finds the server's address. ureq looks the server's name up before every
//! request, pooled connection or not, and with a timeout set it does so on a thread of its own
//! (so that it can give up on a slow lookup): a thread started and ended per request. An office
//! server written as an address (`https://192.0.2.10:8443`, `http://127.0.0.1:8080`) needs no
//! lookup at all, so it is answered here at once; a name goes to ureq's own resolver, timeout
//! and all. Under the load bench, the thread per request was a sixth of what the clients cost.

use std::net::{IpAddr, SocketAddr};
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

#[derive(Debug, Default)]
pub(crate) struct AddressFirst(DefaultResolver);

/// The address `uri` names as numbers, if it does: the host an IP address (`[…]` around one of
/// version 6), the port given or the scheme's own.
fn written_address(uri: &Uri) -> Option<SocketAddr> {
    let host = uri.host()?;
    let ip: IpAddr = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .parse()
        .ok()?;
    let port = uri.port_u16().or(match uri.scheme_str()? {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    })?;
    Some(SocketAddr::new(ip, port))
}

impl Resolver for AddressFirst {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        match written_address(uri) {
            Some(address) => {
                let mut addresses = self.empty();
                addresses.push(address);
                Ok(addresses)
            }
            None => self.0.resolve(uri, config, timeout),
        }
    }
}

/// An agent with `config` that finds a server written as an address without a lookup.
pub fn agent(config: Config) -> ureq::Agent {
    ureq::Agent::with_parts(config, DefaultConnector::new(), AddressFirst::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(uri: &str) -> Option<String> {
        written_address(&uri.parse().unwrap()).map(|a| a.to_string())
    }

    #[test]
    fn addresses_are_taken_as_written_and_names_are_left_to_the_lookup() {
        assert_eq!(
            address("http://127.0.0.1:8080/api/v1/call").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            address("https://192.0.2.10/api").as_deref(),
            Some("192.0.2.10:443")
        );
        assert_eq!(address("http://[::1]/").as_deref(), Some("[::1]:80"));
        assert_eq!(
            address("https://[2001:db8::1]:8443/").as_deref(),
            Some("[2001:db8::1]:8443")
        );
        assert_eq!(address("https://azukari.example.co.jp:8443/"), None);
        // Looks like an address, is a name: only a whole address is taken.
        assert_eq!(address("http://127.0.0.1.example/"), None);
        assert_eq!(address("http://localhost:8080/"), None);
    }

    /// The agent reaches a server written as an address: a real listener on loopback answers.
    #[test]
    fn an_agent_reaches_a_server_written_as_an_address() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request).unwrap();
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                .unwrap();
        });
        let agent = agent(ureq::Agent::config_builder().build());
        let body = agent
            .get(format!("http://127.0.0.1:{port}/"))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        assert_eq!(body, "ok");
        server.join().unwrap();
    }
}
