//! Where a webhook may point. A webhook makes `bron serve` send requests to
//! an address an admin typed in; on a municipality's network that must not
//! reach the services behind the firewall (a database console, a cloud
//! metadata address). So, unless the operator allows it, a target may not
//! be on loopback, private, link-local, shared (carrier-grade NAT),
//! multicast or otherwise reserved addresses, by IP literal or by a name
//! that resolves there. The URL is checked when the webhook is saved, and
//! every delivery resolves the name again and connects only to addresses
//! that pass (a name can be pointed elsewhere after it was saved), without
//! following redirects.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::error::{Error, Result};

/// Why `ip` may not be a webhook's target; None when it may.
pub fn refused_address(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => refused_v6(v6),
    }
}

fn refused_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    Some(match () {
        _ if ip.is_loopback() => "a loopback address",
        _ if ip.is_private() => "a private network address",
        _ if ip.is_link_local() => "a link-local address (such as a cloud metadata service)",
        _ if ip.is_unspecified() || a == 0 => "an unspecified address",
        _ if ip.is_broadcast() || ip.is_multicast() => "a broadcast or multicast address",
        _ if a == 100 && (64..128).contains(&b) => "a shared (carrier-grade NAT) address",
        _ if a == 198 && (18..20).contains(&b) => "a benchmarking network address",
        _ if a >= 240 => "a reserved address",
        _ if ip.is_documentation() => "a documentation address",
        _ if a == 192 && b == 0 && ip.octets()[2] == 0 => "an IETF protocol address",
        _ => return None,
    })
}

fn refused_v6(ip: Ipv6Addr) -> Option<&'static str> {
    // An IPv4 address carried in IPv6 (mapped, or NAT64) is judged as IPv4.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return refused_v4(v4);
    }
    let s = ip.segments();
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let o = ip.octets();
        return refused_v4(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
    }
    Some(match () {
        _ if ip.is_loopback() => "a loopback address",
        _ if ip.is_unspecified() => "an unspecified address",
        _ if ip.is_multicast() => "a multicast address",
        _ if (s[0] & 0xfe00) == 0xfc00 => "a unique local (private) address",
        _ if (s[0] & 0xffc0) == 0xfe80 => "a link-local address",
        _ if (s[0] & 0xffc0) == 0xfec0 => "a site-local address",
        _ if s[0] == 0x2001 && s[1] == 0x0db8 => "a documentation address",
        // IPv4-compatible (deprecated) ::a.b.c.d
        _ if s[..6] == [0; 6] => "a deprecated IPv4-compatible address",
        _ => return None,
    })
}

fn refused(url: &str, why: String) -> Error {
    Error::invalid("url", format!("`{url}` cannot be a webhook target: {why}"))
}

/// The host of `url` as an IP address, if it is written as one.
fn ip_literal(url: &reqwest::Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// Checks the form of `url` and, unless private targets are allowed, the
/// addresses it leads to now.
pub(super) async fn check_url(url: &str, allow_private: bool) -> Result<reqwest::Url> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| refused(url, format!("it is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(refused(url, "use an http or https URL".into()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(refused(
            url,
            "leave credentials out of the URL; the receiver checks the signature instead".into(),
        ));
    }
    if parsed.fragment().is_some() {
        return Err(refused(url, "a URL with a #fragment is not sent".into()));
    }
    if url.len() > 2000 {
        return Err(refused(url, "longer than 2000 characters".into()));
    }
    let Some(host) = parsed.host_str() else {
        return Err(refused(url, "it names no host".into()));
    };
    if allow_private {
        return Ok(parsed);
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = match ip_literal(&parsed) {
        Some(ip) => vec![SocketAddr::new(ip, port)],
        None => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| refused(url, format!("`{host}` does not resolve ({e})")))?
            .collect(),
    };
    for a in &addrs {
        if let Some(why) = refused_address(a.ip()) {
            return Err(refused(
                url,
                format!(
                    "`{host}` is {why} ({}); `bron serve --webhooks-allow-private` allows such targets",
                    a.ip()
                ),
            ));
        }
    }
    Ok(parsed)
}

/// Resolves names for deliveries, keeping only the addresses a webhook may
/// reach: a name that now leads only to refused addresses fails.
pub(super) struct PublicResolver;

impl reqwest::dns::Resolve for PublicResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = all
                .iter()
                .copied()
                .filter(|a| refused_address(a.ip()).is_none())
                .collect();
            if allowed.is_empty() {
                let why = all
                    .first()
                    .and_then(|a| refused_address(a.ip()))
                    .unwrap_or("no address");
                return Err(
                    format!("`{host}` resolves to {why}, which a webhook may not reach").into(),
                );
            }
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// Checks an IP-literal host at delivery (the resolver sees only names).
pub(super) fn check_literal(url: &reqwest::Url) -> std::result::Result<(), String> {
    match ip_literal(url).and_then(|ip| refused_address(ip).map(|why| (ip, why))) {
        Some((ip, why)) => Err(format!("{ip} is {why}, which a webhook may not reach")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn inside_addresses_are_refused_and_public_ones_pass() {
        for s in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(refused_address(ip(s)).is_some(), "{s} should be refused");
        }
        for s in [
            "145.21.1.10",
            "8.8.8.8",
            "2a00:1450:4001::1",
            "::ffff:8.8.8.8",
        ] {
            assert_eq!(refused_address(ip(s)), None, "{s} should pass");
        }
    }

    #[tokio::test]
    async fn urls_are_checked_for_form_and_address() {
        let bad = [
            "ftp://example.nl/",
            "not a url",
            "http://user:pw@93.184.216.34/",
            "http://127.0.0.1:9000/hook",
            "http://[::1]/hook",
            "http://localhost/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://0x7f000001/",
        ];
        for u in bad {
            let e = check_url(u, false).await.unwrap_err();
            assert_eq!(e.code(), "VALIDATION_FAILED", "{u}");
        }
        assert!(check_url("http://127.0.0.1:9000/hook", true).await.is_ok());
        assert!(check_url("https://93.184.216.34/hook", false).await.is_ok());
    }
}
