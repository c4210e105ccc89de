//! Checks made before connecting, so that common mistakes get an
//! explanation instead of the SDK's error: an `https://` homeserver URL that
//! points at a plain-HTTP port (the TLS handshake would otherwise wait 30 s
//! for an answer that never comes), and errors of the store and the login
//! put in an administrator's words.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::config::Misconfigured;

/// How long the plain-HTTP probe waits for each step.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// For an `https://` URL: fails fast if the port answers plain HTTP.
pub async fn check_homeserver(url: &str) -> anyhow::Result<()> {
    let Some(rest) = url.strip_prefix("https://") else {
        return Ok(());
    };
    let authority = rest.split('/').next().unwrap_or("");
    let address = if authority.rsplit_once(':').is_some_and(|(host, port)| {
        !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && !host.ends_with(':')
    }) {
        authority.to_owned()
    } else {
        format!("{authority}:443")
    };
    if answers_plain_http(&address).await {
        return Err(Misconfigured(format!(
            "matrix.homeserver: {url} answers plain HTTP, not HTTPS, on {address}: give the port where TLS is served (the reverse proxy's, usually 443), or put the homeserver behind a TLS reverse proxy (see docs/deploying.md); http:// is only accepted on loopback"
        ))
        .into());
    }
    Ok(())
}

/// Whether `address` answers a plain HTTP request with an HTTP response. Any
/// failure (no connection, a TLS server's alert, silence) counts as no: the
/// real connection then reports it.
async fn answers_plain_http(address: &str) -> bool {
    let probe = async {
        let mut stream = tokio::net::TcpStream::connect(address).await.ok()?;
        stream
            .write_all(b"GET /_matrix/client/versions HTTP/1.0\r\n\r\n")
            .await
            .ok()?;
        let mut head = [0u8; 5];
        stream.read_exact(&mut head).await.ok()?;
        Some(&head == b"HTTP/")
    };
    matches!(
        tokio::time::timeout(PROBE_TIMEOUT, probe).await,
        Ok(Some(true))
    )
}

/// The store failed to open: a passphrase that does not match is the usual cause.
pub fn store_error(err: anyhow::Error, store: &std::path::Path) -> anyhow::Error {
    let text = format!("{err:#}");
    if text.contains("store cipher") {
        return Misconfigured(format!(
            "the store passphrase does not open the Matrix store in {}: it differs from the one the store was created with (matrix.store_passphrase or TOCSIN_STORE_PASSPHRASE). Set the original passphrase again; or, if it is lost, stop tocsin, move {} and matrix/session.json aside and start again, which logs in as a new device (see docs/deploying.md, \"Store passphrase\")",
            store.display(),
            store.display()
        ))
        .into();
    }
    err.context(format!("opening the Matrix store in {}", store.display()))
}

/// The first login failed: name the setting to fix where the cause is known.
pub fn login_error(err: anyhow::Error, homeserver: &str, user_id: &str) -> anyhow::Error {
    let text = format!("{err:#}");
    if text.contains("M_FORBIDDEN") || text.contains("Invalid username or password") {
        return Misconfigured(format!(
            "the homeserver refused the login of {user_id}: check matrix.user_id and the password (matrix.password or TOCSIN_PASSWORD)"
        ))
        .into();
    }
    if text.contains("404") || text.contains("M_UNRECOGNIZED") {
        return Misconfigured(format!(
            "{homeserver} does not answer as a Matrix homeserver (404): matrix.homeserver must be the server's base URL, the one Element shows as the homeserver"
        ))
        .into();
    }
    if text.contains("onnection refused")
        || text.contains("dns error")
        || text.contains("timed out")
    {
        return err.context(format!(
            "cannot reach the homeserver at {homeserver}: check matrix.homeserver, the network and that the server runs"
        ));
    }
    err.context(format!("logging in to {homeserver} as {user_id}"))
}
