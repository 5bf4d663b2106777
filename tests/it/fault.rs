//! Fault injection: a small HTTP proxy in front of the demo server that forwards a request (so
//! the server carries it out) and then answers badly: a 502 or 504 gateway page, an HTML page,
//! a truncated body, an unrelated 200, a dropped connection, an endless body. Every create and
//! update is tried under every fault, through the worker as the app sends them, and the demo
//! server is then asked what it holds: exactly one record, every field kept.
//!
//! [`FaultProxy`] is `pub` for the app-level tests: start one in front of any server with
//! [`FaultProxy::start`], point a client at [`FaultProxy::base_url`], and script faults with
//! [`FaultProxy::fail_next`] (or [`FaultProxy::fail_next_without_forwarding`],
//! [`FaultProxy::rewrite_next`]).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use syncro_tui::api::model::{Contact, Customer, Patch};
use syncro_tui::api::{ApiError, ClientConfig, CustomerQuery, SyncroClient};
use syncro_tui::app::{Action, Effect};
use syncro_tui::demo::{DemoConfig, DemoServer};
use syncro_tui::domain::FormTarget;
use syncro_tui::domain::Record;
use syncro_tui::worker::Worker;

/// How the proxy answers a request a rule matches.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// 502 with an nginx-style HTML page.
    BadGateway,
    /// 504 with an HTML page: the gateway gave up waiting.
    GatewayTimeout,
    /// 200 with an HTML page (a captive portal, a maintenance page).
    HtmlPage,
    /// The server's own status and headers, then half its body, then the connection closes.
    Truncated,
    /// 200 with this JSON instead of the server's answer (`{}`, `{"ok":true}`).
    Unrelated(Value),
    /// The connection closes without any answer.
    Drop,
    /// 200 `application/json` that goes on for this many bytes.
    Huge(usize),
    /// The server's answer unchanged (with [`FaultProxy::rewrite_next`]).
    Pass,
}

type Rewrite = Arc<dyn Fn(&[u8]) -> Vec<u8> + Send + Sync>;

struct Rule {
    method: String,
    path_prefix: String,
    fault: Fault,
    /// Send the request to the server first (it carries it out), then answer with the fault.
    forward: bool,
    rewrite: Option<Rewrite>,
}

#[derive(Default)]
struct State {
    rules: Mutex<VecDeque<Rule>>,
    log: Mutex<Vec<(String, String)>>,
}

/// A proxy on 127.0.0.1 (port 0) in front of `upstream` (see the module docs).
pub struct FaultProxy {
    addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// A proxy in front of the server at `upstream_base` (`http://127.0.0.1:PORT/api/v1`).
    pub async fn start(upstream_base: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(State::default());
        let origin = upstream_base
            .find("/api/")
            .map_or(upstream_base, |i| &upstream_base[..i])
            .to_string();
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("proxy client");
        let st = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, st.clone(), http.clone(), origin.clone()));
            }
        });
        FaultProxy { addr, state, task }
    }

    /// The proxy's base URL, with the upstream's `/api/v1` path.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v1", self.addr)
    }

    fn push(&self, rule: Rule) {
        self.state.rules.lock().unwrap().push_back(rule);
    }

    /// The next request of `method` whose path (below the base, e.g. `/customers`) starts with
    /// `path_prefix` is forwarded, then answered with `fault`.
    pub fn fail_next(&self, method: &str, path_prefix: &str, fault: Fault) {
        self.push(Rule {
            method: method.into(),
            path_prefix: path_prefix.into(),
            fault,
            forward: true,
            rewrite: None,
        });
    }

    /// Like [`FaultProxy::fail_next`], but the server never sees the request.
    pub fn fail_next_without_forwarding(&self, method: &str, path_prefix: &str, fault: Fault) {
        self.push(Rule {
            method: method.into(),
            path_prefix: path_prefix.into(),
            fault,
            forward: false,
            rewrite: None,
        });
    }

    /// The next matching request's body is changed by `rewrite` before it is forwarded.
    pub fn rewrite_next(
        &self,
        method: &str,
        path_prefix: &str,
        rewrite: impl Fn(&[u8]) -> Vec<u8> + Send + Sync + 'static,
    ) {
        self.push(Rule {
            method: method.into(),
            path_prefix: path_prefix.into(),
            fault: Fault::Pass,
            forward: true,
            rewrite: Some(Arc::new(rewrite)),
        });
    }

    /// `(method, path)` of every request the proxy received, in order.
    pub fn requests(&self) -> Vec<(String, String)> {
        self.state.log.lock().unwrap().clone()
    }

    /// Rules not used yet.
    pub fn pending(&self) -> usize {
        self.state.rules.lock().unwrap().len()
    }
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Reads one HTTP/1.1 request (with a `Content-Length` body); `None` at the end of the stream.
async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let start = head_end + 4;
    while buf.len() < start + len {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[start..start + len].to_vec();
    buf.drain(..start + len);
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

async fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    extra: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{extra}\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    stream.flush().await
}

async fn serve(mut stream: TcpStream, st: Arc<State>, http: reqwest::Client, origin: String) {
    let mut buf = Vec::new();
    while let Some(req) = read_request(&mut stream, &mut buf).await {
        let path = req.target.split('?').next().unwrap_or("").to_string();
        let below = path.strip_prefix("/api/v1").unwrap_or(&path).to_string();
        st.log
            .lock()
            .unwrap()
            .push((req.method.clone(), below.clone()));
        let rule = {
            let mut rules = st.rules.lock().unwrap();
            let i = rules
                .iter()
                .position(|r| r.method == req.method && below.starts_with(&r.path_prefix));
            i.and_then(|i| rules.remove(i))
        };
        let (fault, forward, rewrite) = match rule {
            Some(r) => (r.fault, r.forward, r.rewrite),
            None => (Fault::Pass, true, None),
        };
        let mut answer: Option<(u16, String, String, Vec<u8>)> = None;
        if forward {
            let method = reqwest::Method::from_bytes(req.method.as_bytes()).expect("method");
            let body = match &rewrite {
                Some(f) => f(&req.body),
                None => req.body.clone(),
            };
            let mut out = http
                .request(method, format!("{origin}{}", req.target))
                .body(body);
            for (k, v) in &req.headers {
                if matches!(k.as_str(), "authorization" | "content-type" | "accept") {
                    out = out.header(k.as_str(), v.as_str());
                }
            }
            match out.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let header = |n: &str| {
                        resp.headers()
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string()
                    };
                    let ct = header("content-type");
                    let retry = header("retry-after");
                    let extra = if retry.is_empty() {
                        String::new()
                    } else {
                        format!("Retry-After: {retry}\r\n")
                    };
                    let body = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                    answer = Some((status, ct, extra, body));
                }
                Err(_) => return,
            }
        }
        let written = match fault {
            Fault::Pass => match answer {
                Some((status, ct, extra, body)) => {
                    respond(&mut stream, status, &ct, &extra, &body).await
                }
                None => return,
            },
            Fault::BadGateway => {
                respond(
                    &mut stream,
                    502,
                    "text/html",
                    "",
                    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
                )
                .await
            }
            Fault::GatewayTimeout => {
                respond(
                    &mut stream,
                    504,
                    "text/html",
                    "",
                    b"<html><head><title>504 Gateway Time-out</title></head><body><h1>504 Gateway Time-out</h1></body></html>",
                )
                .await
            }
            Fault::HtmlPage => {
                respond(
                    &mut stream,
                    200,
                    "text/html; charset=utf-8",
                    "",
                    b"<!doctype html><html><head><title>Scheduled maintenance</title></head><body>Back soon</body></html>",
                )
                .await
            }
            Fault::Unrelated(v) => {
                let body = serde_json::to_vec(&v).unwrap();
                respond(&mut stream, 200, "application/json", "", &body).await
            }
            Fault::Truncated => {
                let (status, ct, _, body) =
                    answer.unwrap_or((200, "application/json".into(), String::new(), b"{}".to_vec()));
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body[..body.len() / 2]).await;
                let _ = stream.flush().await;
                return;
            }
            Fault::Drop => return,
            Fault::Huge(n) => {
                let head = format!(
                    "HTTP/1.1 200 X\r\nContent-Type: application/json\r\nContent-Length: {n}\r\n\r\n{{\"customer\":{{\"id\":1,\"notes\":\""
                );
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                let mut sent = 0;
                while sent < n {
                    if stream.write_all(&chunk).await.is_err() {
                        return;
                    }
                    sent += chunk.len();
                }
                return;
            }
        };
        if written.is_err() {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// The key of the servers here (as long as the app requires).
const KEY: &str = "fault-key-0123456789";

async fn demo() -> DemoServer {
    DemoServer::start(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig {
            customers: 60,
            api_key: KEY.into(),
            rate_limit: None,
            ..DemoConfig::default()
        },
    )
    .await
    .expect("demo server")
}

/// A client through `base_url`: quick retries, no client-side limit.
pub fn client(base_url: &str) -> SyncroClient {
    let mut cfg = ClientConfig::new(base_url, SecretString::from(KEY.to_string()));
    cfg.requests_per_minute = 0;
    cfg.backoff_base = Duration::from_millis(1);
    cfg.backoff_cap = Duration::from_millis(5);
    cfg.total_timeout = Duration::from_secs(10);
    SyncroClient::new(cfg).expect("client")
}

fn patch(v: Value) -> Patch {
    match v {
        Value::Object(m) => m,
        _ => Patch::new(),
    }
}

/// Runs one effect on a worker and returns the actions it sent until `done` says enough.
async fn run(
    worker: &Worker,
    rx: &mut mpsc::UnboundedReceiver<Action>,
    effect: Effect,
) -> Vec<Action> {
    worker.spawn(effect);
    let mut out = Vec::new();
    loop {
        let a = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("an answer from the worker")
            .expect("channel open");
        let last = matches!(a, Action::FormSaved { .. } | Action::FormLookup { .. });
        out.push(a);
        if last {
            return out;
        }
    }
}

fn saved(actions: Vec<Action>) -> (Result<Record, ApiError>, Vec<String>) {
    let mut notices = Vec::new();
    let mut result = None;
    for a in actions {
        match a {
            Action::FormSaved { result: r, .. } => result = Some(r),
            Action::Notice { text, .. } => notices.push(text),
            _ => {}
        }
    }
    (result.expect("FormSaved"), notices)
}

fn looked_up(actions: Vec<Action>) -> Vec<Record> {
    for a in actions {
        if let Action::FormLookup { result, .. } = a {
            return result.expect("the look-up works");
        }
    }
    panic!("no FormLookup")
}

/// Every customer on the server (read directly, not through the proxy).
async fn all_customers(direct: &SyncroClient) -> Vec<Customer> {
    direct
        .all_customers(&CustomerQuery {
            include_disabled: true,
            ..CustomerQuery::default()
        })
        .await
        .expect("customers")
}

async fn contacts_of(direct: &SyncroClient, customer: u64) -> Vec<Contact> {
    direct.all_contacts(Some(customer)).await.expect("contacts")
}

/// The faults a write's answer can meet after the server carried it out.
fn faults() -> Vec<Fault> {
    vec![
        Fault::BadGateway,
        Fault::GatewayTimeout,
        Fault::HtmlPage,
        Fault::Truncated,
        Fault::Unrelated(json!({})),
        Fault::Unrelated(json!({"ok": true})),
        Fault::Drop,
    ]
}

/// The create the form sends, what the form's duplicate check looks up by, and how a record
/// on the server is recognised as it.
struct CreateCase {
    label: &'static str,
    target: FormTarget,
    patch: Patch,
    email: Option<String>,
    name: Option<String>,
}

fn customer_cases(n: usize) -> Vec<CreateCase> {
    vec![
        CreateCase {
            label: "business customer",
            target: FormTarget::NewCustomer,
            patch: patch(json!({
                "business_name": format!("Faultline Dental {n}"),
                "email": format!("office{n}@faultline.test"),
                "phone": "503-555-0142",
                "properties": {"Customer Type": "Business"}
            })),
            email: Some(format!("office{n}@faultline.test")),
            name: Some(format!("Faultline Dental {n}")),
        },
        CreateCase {
            label: "residential customer without e-mail",
            target: FormTarget::NewCustomer,
            patch: patch(json!({
                "firstname": format!("Quentin{n}"),
                "lastname": "Residenza",
                "phone": format!("(971) 555-01{n:02}"),
                "properties": {"Customer Type": "Residential"}
            })),
            email: None,
            name: Some(format!("Quentin{n} Residenza")),
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// Creates: never a duplicate

/// Every create under every fault: the worker reports an unknown outcome (never "saved" with a
/// record the server did not return), the look-up the app sends next finds the record, and the
/// server holds exactly one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_under_any_fault_is_found_and_never_doubled() {
    let server = demo().await;
    let proxy = FaultProxy::start(&server.base_url()).await;
    let direct = client(&server.base_url());
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(Some(client(&proxy.base_url())), tx);
    let owner = all_customers(&direct).await[3].id;
    let mut token = 0;
    for (k, fault) in faults().into_iter().enumerate() {
        let mut cases = customer_cases(k);
        cases.push(CreateCase {
            label: "contact",
            target: FormTarget::NewContact { customer_id: owner },
            patch: patch(json!({
                "name": format!("Fiona Fault {k}"),
                "email": format!("fiona{k}@faultline.test"),
                "title": "Office Manager"
            })),
            email: Some(format!("fiona{k}@faultline.test")),
            name: Some(format!("Fiona Fault {k}")),
        });
        for case in cases {
            token += 1;
            let what = format!("{} under {fault:?}", case.label);
            let path = match case.target {
                FormTarget::NewCustomer => "/customers",
                _ => "/contacts",
            };
            proxy.fail_next("POST", path, fault.clone());
            let (result, _) = saved(
                run(
                    &worker,
                    &mut rx,
                    Effect::Save {
                        token,
                        target: case.target.clone(),
                        patch: case.patch.clone(),
                        before: None,
                    },
                )
                .await,
            );
            let err = result.expect_err(&what);
            assert!(err.outcome_unknown(), "{what}: {err:?}");
            let found = looked_up(
                run(
                    &worker,
                    &mut rx,
                    Effect::Lookup {
                        token,
                        target: case.target.clone(),
                        email: case.email.clone(),
                        name: case.name.clone(),
                        fields: Patch::new(),
                    },
                )
                .await,
            );
            // On the server: exactly one, and the look-up found it.
            match case.target {
                FormTarget::NewCustomer => {
                    let name = case.name.clone().unwrap();
                    let on_server: Vec<Customer> = all_customers(&direct)
                        .await
                        .into_iter()
                        .filter(|c| c.display_name() == name)
                        .collect();
                    assert_eq!(on_server.len(), 1, "{what}");
                    let id = on_server[0].id;
                    assert!(
                        found
                            .iter()
                            .any(|r| matches!(r, Record::Customer(c) if c.id == id)),
                        "{what}: the look-up did not find #{id}"
                    );
                }
                FormTarget::NewContact { customer_id } => {
                    let email = case.email.clone().unwrap();
                    let on_server: Vec<Contact> = contacts_of(&direct, customer_id)
                        .await
                        .into_iter()
                        .filter(|c| c.email.as_deref() == Some(email.as_str()))
                        .collect();
                    assert_eq!(on_server.len(), 1, "{what}");
                    assert_eq!(
                        on_server[0].title().as_deref(),
                        Some("Office Manager"),
                        "{what}"
                    );
                    let id = on_server[0].id;
                    assert!(
                        found
                            .iter()
                            .any(|r| matches!(r, Record::Contact(c) if c.id == id)),
                        "{what}: the look-up did not find #{id}"
                    );
                }
                _ => unreachable!(),
            }
        }
    }
    assert_eq!(proxy.pending(), 0);
}

/// The look-up of the duplicate check, before any create, finds a residential customer by
/// the one name the form gives (no e-mail, no create fields known).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_duplicate_check_finds_a_residential_customer_by_name() {
    let server = demo().await;
    let direct = client(&server.base_url());
    let made = direct
        .create_customer(&patch(
            json!({"firstname": "Odalys", "lastname": "Prendergast"}),
        ))
        .await
        .unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(Some(client(&server.base_url())), tx);
    let found = looked_up(
        run(
            &worker,
            &mut rx,
            Effect::Lookup {
                token: 1,
                target: FormTarget::NewCustomer,
                email: None,
                name: Some("Odalys Prendergast".into()),
                fields: Patch::new(),
            },
        )
        .await,
    );
    assert!(
        found
            .iter()
            .any(|r| matches!(r, Record::Customer(c) if c.id == made.id)),
        "{found:?}"
    );
    // The check before a create also searches by what the form holds: here only a phone,
    // typed another way than Syncro stores it.
    let by_phone = direct
        .create_customer(&patch(
            json!({"business_name": "Quillfeather Bindery", "phone": "5035550177"}),
        ))
        .await
        .unwrap();
    let found = looked_up(
        run(
            &worker,
            &mut rx,
            Effect::Lookup {
                token: 2,
                target: FormTarget::NewCustomer,
                email: None,
                name: Some("Quill and Feather".into()),
                fields: patch(
                    json!({"business_name": "Quill and Feather", "phone": "(503) 555-0177"}),
                ),
            },
        )
        .await,
    );
    assert!(
        found
            .iter()
            .any(|r| matches!(r, Record::Customer(c) if c.id == by_phone.id)),
        "{found:?}"
    );
}

/// A 200 that is a record without an id, or another shape, is never a created record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_answered_with_a_record_without_id_is_not_saved() {
    let server = demo().await;
    let proxy = FaultProxy::start(&server.base_url()).await;
    let c = client(&proxy.base_url());
    proxy.fail_next(
        "POST",
        "/customers",
        Fault::Unrelated(json!({"customer": {"id": 0, "business_name": "Ghost"}})),
    );
    let err = c
        .create_customer(&patch(json!({"business_name": "Ghost Ltd"})))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::UnexpectedAnswer { status: 200, .. }),
        "{err:?}"
    );
    assert!(err.outcome_unknown());
    proxy.fail_next(
        "POST",
        "/contacts",
        Fault::Unrelated(json!({"customer": {"id": 5}})),
    );
    let owner = all_customers(&client(&server.base_url())).await[0].id;
    let err = c
        .create_contact(owner, &patch(json!({"name": "Ghost Contact"})))
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// Updates: never a lost edit

/// Every update under every fault: the worker returns the record (re-read) holding every field
/// sent, and the server holds them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_under_any_fault_keeps_every_field_or_says_so() {
    let server = demo().await;
    let proxy = FaultProxy::start(&server.base_url()).await;
    let direct = client(&server.base_url());
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(Some(client(&proxy.base_url())), tx);
    let customers = all_customers(&direct).await;
    let target = customers
        .iter()
        .find(|c| !c.contacts.is_empty())
        .expect("a customer with contacts")
        .clone();
    let contact = target.contacts[0].clone();
    let mut all = faults();
    all.push(Fault::Huge(40 * 1024 * 1024));
    let mut token = 100;
    for (k, fault) in all.into_iter().enumerate() {
        token += 1;
        let fields = patch(json!({
            "city": format!("Faultville {k}"),
            "notes": format!("note {k}"),
            "phone": format!("(503) 555-02{k:02}"),
        }));
        proxy.fail_next("PUT", "/customers", fault.clone());
        let (result, _) = saved(
            run(
                &worker,
                &mut rx,
                Effect::Save {
                    token,
                    target: FormTarget::EditCustomer { id: target.id },
                    patch: fields,
                    before: None,
                },
            )
            .await,
        );
        let what = format!("customer update under {fault:?}");
        match result {
            Ok(Record::Customer(c)) => {
                assert_eq!(c.id, target.id, "{what}");
                assert_eq!(c.city, Some(format!("Faultville {k}")), "{what}");
            }
            other => panic!("{what}: {other:?}"),
        }
        let now = direct.get_customer(target.id).await.unwrap();
        assert_eq!(now.city, Some(format!("Faultville {k}")), "{what}");
        assert_eq!(now.notes, Some(format!("note {k}")), "{what}");
        assert_eq!(now.phone, Some(format!("50355502{k:02}")), "{what}");

        // A contact: only the title changed (the form sends no name; the PUT must carry it).
        token += 1;
        proxy.fail_next("PUT", "/contacts", fault.clone());
        let (result, _) = saved(
            run(
                &worker,
                &mut rx,
                Effect::Save {
                    token,
                    target: FormTarget::EditContact {
                        id: contact.id,
                        customer_id: target.id,
                    },
                    patch: patch(json!({"title": format!("Title {k}")})),
                    before: None,
                },
            )
            .await,
        );
        let what = format!("contact update under {fault:?}");
        match result {
            Ok(Record::Contact(c)) => {
                assert_eq!(c.id, contact.id, "{what}");
                assert_eq!(c.title(), Some(format!("Title {k}")), "{what}");
            }
            other => panic!("{what}: {other:?}"),
        }
        let now = direct.get_contact(contact.id).await.unwrap();
        assert_eq!(now.title(), Some(format!("Title {k}")), "{what}");
        assert_eq!(now.name, contact.name, "{what}: the name is kept");
    }
}

/// A strange 200 to a PUT the server never received: not "saved"; the error names the fields
/// that did not stick.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strange_200_without_the_change_names_the_fields_lost() {
    let server = demo().await;
    let proxy = FaultProxy::start(&server.base_url()).await;
    let direct = client(&server.base_url());
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(Some(client(&proxy.base_url())), tx);
    let target = all_customers(&direct).await[5].clone();
    for body in [
        json!({}),
        json!({"customer": {"id": 0}}),
        json!({"ok": true}),
    ] {
        proxy.fail_next_without_forwarding("PUT", "/customers", Fault::Unrelated(body.clone()));
        let (result, _) = saved(
            run(
                &worker,
                &mut rx,
                Effect::Save {
                    token: 7,
                    target: FormTarget::EditCustomer { id: target.id },
                    patch: patch(json!({"city": "Nowhere Kept", "email": "lost@faultline.test"})),
                    before: None,
                },
            )
            .await,
        );
        match result {
            Err(ApiError::NotKept { fields }) => {
                assert_eq!(fields, vec!["city", "email"], "{body}")
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    let now = direct.get_customer(target.id).await.unwrap();
    assert_ne!(now.city.as_deref(), Some("Nowhere Kept"));
}

// ---------------------------------------------------------------------------------------------
// Requests Syncro accepts

/// The title of a new contact goes where Syncro stores it; if the server drops it anyway, a PUT
/// sets it, and the app hears so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_title_the_create_dropped_is_set_with_a_put_and_said() {
    let server = demo().await;
    let proxy = FaultProxy::start(&server.base_url()).await;
    let direct = client(&server.base_url());
    let owner = all_customers(&direct).await[2].id;
    // The first create carries the title in `properties.title` (checked here), and the
    // proxy drops it before the server sees it.
    let seen = Arc::new(Mutex::new(Value::Null));
    let seen_in = seen.clone();
    proxy.rewrite_next("POST", "/contacts", move |body| {
        let mut v: Value = serde_json::from_slice(body).unwrap();
        *seen_in.lock().unwrap() = v.clone();
        if let Some(p) = v.get_mut("properties").and_then(Value::as_object_mut) {
            p.remove("title");
        }
        if let Some(o) = v.as_object_mut() {
            o.remove("title");
        }
        serde_json::to_vec(&v).unwrap()
    });
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(Some(client(&proxy.base_url())), tx);
    let (result, notices) = saved(
        run(
            &worker,
            &mut rx,
            Effect::Save {
                token: 1,
                target: FormTarget::NewContact { customer_id: owner },
                patch: patch(json!({"name": "Tilda Title", "title": "Billing Contact"})),
                before: None,
            },
        )
        .await,
    );
    let sent = seen.lock().unwrap().clone();
    assert_eq!(
        sent["properties"]["title"],
        json!("Billing Contact"),
        "{sent}"
    );
    assert_eq!(sent["customer_id"], json!(owner));
    let Ok(Record::Contact(c)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(c.title().as_deref(), Some("Billing Contact"));
    assert!(
        notices.iter().any(|n| n.contains("second request")),
        "{notices:?}"
    );
    let now = direct.get_contact(c.id).await.unwrap();
    assert_eq!(now.title().as_deref(), Some("Billing Contact"));
    let puts: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter(|(m, p)| m == "PUT" && p == &format!("/contacts/{}", c.id))
        .collect();
    assert_eq!(puts.len(), 1);
}

/// Syncro (and the demo server) refuse a contact PUT without `name`; the checked update and
/// the merge's move always send it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_puts_carry_the_name() {
    let server = demo().await;
    let c = client(&server.base_url());
    let customers = all_customers(&c).await;
    let from = customers.iter().find(|c| c.contacts.len() >= 2).unwrap();
    let to = customers.iter().find(|x| x.id != from.id).unwrap();
    let k = from.contacts[0].clone();
    let err = c
        .update_contact(k.id, &patch(json!({"title": "Head of IT"})))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ApiError::Validation { errors } if errors.iter().any(|e| e.message == "Name can't be blank")),
        "{err:?}"
    );
    let kept = c
        .update_contact_checked(k.id, &patch(json!({"title": "Head of IT"})))
        .await
        .unwrap();
    assert_eq!(kept.title().as_deref(), Some("Head of IT"));
    assert_eq!(kept.name, k.name);
    let moved = c.move_contact(k.id, to.id, "planned name").await.unwrap();
    assert_eq!(moved.customer_id, Some(to.id));
    assert_eq!(moved.name, k.name, "the current name, not the planned one");
    assert!(contacts_of(&c, to.id).await.iter().any(|x| x.id == k.id));
}

// ---------------------------------------------------------------------------------------------
// One bad record never breaks the account

/// A page with a record holding invalid UTF-8, one nested deeper than the JSON decoder allows
/// and one with a number no reader can take: the rest decodes, the three are skipped with their
/// ids, and the worker says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bad_record_is_skipped_and_the_page_goes_on() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let mock = MockServer::start().await;
    let mut body = br#"{"customers":[{"id":21403125,"business_name":"Good One"},"#.to_vec();
    body.extend_from_slice(b"{\"id\":21403127,\"business_name\":\"Bad \xff\xfe UTF-8\"},");
    // Nested in a value that is kept (a custom property), deeper than the decoder allows.
    body.extend_from_slice(br#"{"id":21403128,"properties":{"x":"#);
    body.extend(std::iter::repeat_n(b'[', 300));
    body.extend(std::iter::repeat_n(b']', 300));
    body.extend_from_slice(br#"}},{"id":"21403129","latitude":1e400},"#);
    body.extend_from_slice(br#"{"id":21403130,"business_name":"Good Two","contacts":[{"id":1}]}"#);
    body.extend_from_slice(br#"],"meta":{"total_pages":1,"total_entries":5,"page":1}}"#);
    Mock::given(method("GET"))
        .and(path("/api/v1/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
        .mount(&mock)
        .await;
    let c = client(&format!("{}/api/v1", mock.uri()));
    let read = c
        .list_customers_read(&CustomerQuery::default())
        .await
        .expect("the page reads");
    let ids: Vec<u64> = read.page.items.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![21403125, 21403130]);
    let skipped: Vec<Option<u64>> = read.skipped.iter().map(|s| s.id).collect();
    assert_eq!(
        skipped,
        vec![Some(21403127), Some(21403128), Some(21403129)]
    );
    assert!(
        read.skipped[0].reason.contains("UTF-8"),
        "{:?}",
        read.skipped
    );
    assert!(
        read.skipped[1].reason.contains("nested"),
        "{:?}",
        read.skipped
    );

    // The worker loads the list and tells the app, through the status line.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(Some(c.clone()), tx);
    worker.spawn(Effect::LoadCustomers {
        generation: 1,
        query: CustomerQuery::default(),
    });
    let mut notice = None;
    let mut loaded = None;
    while loaded.is_none() {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap()
        {
            Action::Notice { text, error } => notice = Some((text, error)),
            Action::CustomersLoaded { result, .. } => loaded = Some(result),
            _ => {}
        }
    }
    assert_eq!(loaded.unwrap().unwrap().items.len(), 2);
    assert_eq!(
        notice,
        Some((
            "3 records could not be read: customers 21403127, 21403128, 21403129".to_string(),
            true
        ))
    );

    // A truncated page is still an error: never a partial page passed off as whole.
    let cut = &body[..body.len() - 40];
    let mock2 = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(cut.to_vec(), "application/json"))
        .mount(&mock2)
        .await;
    let err = client(&format!("{}/api/v1", mock2.uri()))
        .list_customers(&CustomerQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::NotJson { .. }), "{err:?}");
}

/// An answer over the size limit stops there with a clear error, whether the server says its
/// length up front or not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_answer_stops_at_the_limit() {
    let server = demo().await;
    let proxy = FaultProxy::start(&server.base_url()).await;
    let mut cfg = ClientConfig::new(proxy.base_url(), SecretString::from(KEY.to_string()));
    cfg.requests_per_minute = 0;
    cfg.max_attempts = 1;
    cfg.max_body_bytes = 1024 * 1024;
    let c = SyncroClient::new(cfg).unwrap();
    proxy.fail_next_without_forwarding("GET", "/customers/1", Fault::Huge(64 * 1024 * 1024));
    let err = c.get_customer(1).await.unwrap_err();
    assert!(
        matches!(err, ApiError::TooLarge { limit: 1_048_576 }),
        "{err:?}"
    );
    assert!(err.to_string().contains("larger than 1 MiB"), "{err}");
    // Through the demo server itself, a normal answer is well under the limit.
    let first = all_customers(&client(&server.base_url())).await[0].id;
    assert_eq!(c.get_customer(first).await.unwrap().id, first);
}

/// `total_pages` cannot make a client walk pages that `total_entries` says cannot exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn total_pages_is_capped_by_total_entries() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let mock = MockServer::start().await;
    let page: Vec<Value> = (1..=100)
        .map(|i| json!({"id": i, "business_name": "X"}))
        .collect();
    Mock::given(method("GET"))
        .and(path("/api/v1/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "customers": page,
            "meta": {"total_pages": 1_000_000, "total_entries": 250, "per_page": 100, "page": 1}
        })))
        .mount(&mock)
        .await;
    let c = client(&format!("{}/api/v1", mock.uri()));
    let all = c.all_customers(&CustomerQuery::default()).await.unwrap();
    assert_eq!(
        all.len(),
        300,
        "three pages (the server ignores `page`), not a million"
    );
    assert_eq!(mock.received_requests().await.unwrap().len(), 3);
}
