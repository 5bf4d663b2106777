//! The demo server over real HTTP on 127.0.0.1: everything syncro-api.md says it must reproduce,
//! and its responses against the official spec examples.

use std::time::Duration;

use chrono::DateTime;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use syncro_tui::demo::{DemoConfig, DemoServer, FaultRule};

/// A server started in the test and an HTTP client with the demo key.
struct Demo {
    server: DemoServer,
    http: reqwest::Client,
}

impl Demo {
    async fn start() -> Demo {
        Demo::with(DemoConfig::default()).await
    }

    async fn with(cfg: DemoConfig) -> Demo {
        let server = DemoServer::start("127.0.0.1:0".parse().unwrap(), cfg)
            .await
            .expect("demo server starts");
        Demo {
            server,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("Authorization", "Bearer demo");
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    async fn customers(&self, query: &str) -> (Vec<Value>, Value) {
        let body = self.get(&format!("/customers?{query}")).await;
        let list = body["customers"]
            .as_array()
            .expect("customers array")
            .clone();
        (list, body["meta"].clone())
    }

    async fn customer_names(&self, query: &str) -> Vec<String> {
        self.customers(query)
            .await
            .0
            .iter()
            .map(|c| c["business_then_name"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// A new business customer with one contact; returns (customer id, contact id).
    async fn new_customer(&self, business: &str) -> (u64, u64) {
        let (status, c) = self
            .post(
                "/customers",
                json!({"business_name": business, "firstname": "Ann", "lastname": "Test",
                       "email": "ann@test-co.example.com"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{c}");
        let id = c["customer"]["id"].as_u64().expect("customer id");
        let (status, contact) = self
            .post("/contacts", json!({"customer_id": id, "name": "Ann Test"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{contact}");
        (id, contact["id"].as_u64().expect("contact id"))
    }
}

fn ids(list: &[Value]) -> Vec<u64> {
    list.iter().filter_map(|v| v["id"].as_u64()).collect()
}

fn millis(ts: &Value) -> i64 {
    DateTime::parse_from_rfc3339(ts.as_str().expect("timestamp string"))
        .expect("RFC 3339 timestamp")
        .timestamp_millis()
}

#[tokio::test]
async fn auth_accepts_the_documented_forms_and_refuses_the_rest() {
    let demo = Demo::start().await;
    let url = demo.url("/customers");
    let status_with = |auth: Option<&'static str>| {
        let mut req = demo.http.get(&url);
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        async move { req.send().await.expect("request") }
    };
    for auth in ["Bearer demo", "bearer demo", "demo"] {
        assert_eq!(status_with(Some(auth)).await.status(), 200, "{auth}");
    }
    let resp = demo
        .http
        .get(demo.url("/customers?api_key=demo"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    for auth in [None, Some("Bearer wrong"), Some("")] {
        let resp = status_with(auth).await;
        assert_eq!(resp.status(), 401, "{auth:?}");
        let body: Value = resp.json().await.expect("401 is JSON");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}"
        );
    }
}

#[tokio::test]
async fn envelopes_page_sizes_and_meta() {
    let demo = Demo::start().await;
    for (path, key, per_page) in [
        ("/customers", "customers", 100),
        ("/contacts", "contacts", 50),
        ("/tickets", "tickets", 50),
        ("/customer_assets", "assets", 50),
        ("/invoices", "invoices", 25),
    ] {
        let body = demo.get(path).await;
        let list = body[key]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: {key}"));
        let meta = &body["meta"];
        assert_eq!(list.len(), per_page, "{path}");
        assert_eq!(meta["per_page"], per_page, "{path}");
        assert_eq!(meta["page"], 1, "{path}");
        let total = meta["total_entries"].as_u64().unwrap();
        let pages = meta["total_pages"].as_u64().unwrap();
        assert_eq!(pages, total.div_ceil(per_page as u64), "{path}");
        assert!(pages > 1, "{path}");
        // The last page holds the remainder.
        let last = demo.get(&format!("{path}?page={pages}")).await;
        let rest = total - (pages - 1) * per_page as u64;
        assert_eq!(last[key].as_array().unwrap().len() as u64, rest, "{path}");
    }
    // Customers are wrapped on show, contacts are flat; customers embed their contacts.
    let (list, _) = demo.customers("").await;
    let first = &list[0];
    assert!(first["contacts"].is_array());
    let id = first["id"].as_u64().unwrap();
    let shown = demo.get(&format!("/customers/{id}")).await;
    assert_eq!(shown["customer"]["id"], id);
    assert_eq!(shown["customer"]["contacts"], first["contacts"]);
    let contact_id = first["contacts"][0]["id"]
        .as_u64()
        .expect("curated customer has contacts");
    let contact = demo.get(&format!("/contacts/{contact_id}")).await;
    assert_eq!(contact["id"], contact_id);
    assert_eq!(contact["customer_id"], id);
}

#[tokio::test]
async fn pages_past_the_end_are_empty() {
    let demo = Demo::start().await;
    let (list, meta) = demo.customers("page=999").await;
    assert!(list.is_empty());
    assert_eq!(meta["page"], 999);
    let body = demo.get("/contacts?customer_id=1&page=3").await;
    assert_eq!(body["contacts"], json!([]));
}

#[tokio::test]
async fn customer_filters() {
    let demo = Demo::start().await;

    // query: names, business names, e-mail, phone digits (formatted or not).
    let acme = demo.customer_names("query=acme%20dental").await;
    assert_eq!(acme, ["Acme Dental LLC", "ACME Dental"]);
    let (okafor, _) = demo.customers("query=OKAFOR").await;
    let names: Vec<&str> = okafor
        .iter()
        .filter_map(|c| c["business_name"].as_str())
        .collect();
    assert!(
        names.contains(&"Acme Dental LLC") && names.contains(&"ACME Dental"),
        "{names:?}"
    );
    assert!(okafor.iter().all(|c| {
        let text = format!("{} {} {}", c["fullname"], c["business_name"], c["email"]);
        text.to_lowercase().contains("okafor")
    }));
    assert_eq!(
        demo.customer_names("query=ewhitfield@brightwater").await,
        ["Brightwater Law Group, P.C."]
    );
    let by_phone = demo.customer_names("query=(503)%20555-0142").await;
    assert_eq!(by_phone, ["Acme Dental LLC", "ACME Dental"]);
    assert!(
        demo.customer_names("query=no-such-customer-xyz")
            .await
            .is_empty()
    );

    // email: the whole address, case-insensitive.
    let both = demo.customer_names("email=BOB.SMITH@example.net").await;
    assert_eq!(both, ["Robert Smith", "Bob Smith"]);
    assert!(demo.customer_names("email=bob.smith").await.is_empty());

    // business_name / firstname / lastname: substring, case-insensitive.
    assert_eq!(
        demo.customer_names("business_name=brightwater%20law").await,
        ["Brightwater Law Group, P.C.", "Brightwater Law"]
    );
    let (list, _) = demo.customers("firstname=sand").await;
    assert!(list.iter().all(|c| {
        c["firstname"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("sand")
    }));
    assert!(list.iter().any(|c| c["firstname"] == "Sandra"));
    let (list, _) = demo.customers("lastname=SMITH").await;
    assert!(list.iter().any(|c| c["firstname"] == "Bob"));
    assert!(list.iter().all(|c| {
        c["lastname"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("smith")
    }));

    // id[] / not_id[] in Rails array form.
    let (page, _) = demo.customers("").await;
    let (a, b) = (
        page[0]["id"].as_u64().unwrap(),
        page[1]["id"].as_u64().unwrap(),
    );
    let (list, meta) = demo.customers(&format!("id[]={a}&id%5B%5D={b}")).await;
    assert_eq!(ids(&list), [a, b]);
    assert_eq!(meta["total_entries"], 2);
    let (list, _) = demo.customers(&format!("not_id[]={a}")).await;
    assert_eq!(list[0]["id"], b);

    // include_disabled: hidden unless asked for.
    assert!(demo.customer_names("query=old%20town").await.is_empty());
    assert_eq!(
        demo.customer_names("query=old%20town&include_disabled=true")
            .await,
        ["Old Town Pharmacy"]
    );
    let (_, visible) = demo.customers("").await;
    let (_, all) = demo.customers("include_disabled=true").await;
    assert!(all["total_entries"].as_u64() > visible["total_entries"].as_u64());

    // sort "<field> ASC|DESC".
    for field in ["business_name", "lastname", "firstname", "city"] {
        for dir in ["ASC", "DESC"] {
            // Residential customers have no business name; like SQL NULLs they sort last
            // ascending and first descending, so look at businesses only.
            let only = if field == "business_name" {
                "&business_name=e"
            } else {
                ""
            };
            let (list, _) = demo.customers(&format!("sort={field}%20{dir}{only}")).await;
            let values: Vec<String> = list
                .iter()
                .filter_map(|c| c[field].as_str())
                .filter(|s| !s.is_empty())
                .map(str::to_lowercase)
                .collect();
            let mut sorted = values.clone();
            sorted.sort();
            if dir == "DESC" {
                sorted.reverse();
            }
            assert_eq!(values, sorted, "{field} {dir}");
            assert!(!values.is_empty(), "{field} {dir}");
        }
    }
    for field in ["created_at", "updated_at", "id"] {
        let (list, _) = demo.customers(&format!("sort={field}+DESC")).await;
        let keys: Vec<i64> = list
            .iter()
            .map(|c| match field {
                "id" => c["id"].as_i64().unwrap(),
                _ => millis(&c[field]),
            })
            .collect();
        assert!(keys.windows(2).all(|w| w[0] >= w[1]), "{field} DESC");
    }
}

#[tokio::test]
async fn unknown_parameters_are_ignored() {
    let demo = Demo::start().await;
    let all = demo.get("/contacts").await["meta"]["total_entries"].clone();
    for q in [
        "email=sandra@acmedental.com",
        "query=sandra",
        "name=x&per_page=5",
    ] {
        let body = demo.get(&format!("/contacts?{q}")).await;
        assert_eq!(body["meta"]["total_entries"], all, "{q}");
        assert_eq!(body["contacts"].as_array().unwrap().len(), 50, "{q}");
    }
    let (_, plain) = demo.customers("").await;
    let (_, odd) = demo.customers("per_page=5&colour=blue").await;
    assert_eq!(plain, odd);
    // Invoices have no customer filter.
    let invoices = demo.get("/invoices?customer_id=1").await;
    assert_eq!(invoices["invoices"].as_array().unwrap().len(), 25);
}

#[tokio::test]
async fn derived_names_and_phone_digits() {
    let demo = Demo::start().await;
    let (status, body) = demo
        .post(
            "/customers",
            json!({"business_name": "Zephyr Dental", "firstname": "Ada", "lastname": "Lovelace",
                   "phone": "(555) 123-4567 ", "mobile": "+1 555.987.6543"}),
        )
        .await;
    assert_eq!(status, 200);
    let c = &body["customer"];
    assert_eq!(c["fullname"], "Ada Lovelace");
    assert_eq!(c["business_then_name"], "Zephyr Dental");
    assert_eq!(c["business_and_full_name"], "Zephyr Dental - Ada Lovelace");
    assert_eq!(c["phone"], "5551234567");
    assert_eq!(c["mobile"], "15559876543");
    assert_eq!(c["contacts"], json!([]));

    let (_, body) = demo
        .post(
            "/customers",
            json!({"firstname": "Grace", "lastname": "Hopper"}),
        )
        .await;
    let c = &body["customer"];
    assert_eq!(c["business_then_name"], "Grace Hopper");
    assert_eq!(c["business_and_full_name"], "Grace Hopper");

    // Contact phones keep their formatting.
    let id = c["id"].as_u64().unwrap();
    let (status, contact) = demo
        .post(
            "/contacts",
            json!({"customer_id": id, "name": "Grace", "phone": "657.325.3258 x330"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(contact["phone"], "657.325.3258 x330");
}

#[tokio::test]
async fn contact_title_lives_in_properties() {
    let demo = Demo::start().await;
    let (customer, _) = demo.new_customer("Title Co").await;
    let (status, c) = demo
        .post(
            "/contacts",
            json!({"customer_id": customer, "name": "Tess", "title": "IT Manager",
                   "properties": {"Preferred": "email"}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(c["properties"]["title"], "IT Manager");
    assert!(c.get("title").is_none(), "{c}");
    let id = c["id"].as_u64().unwrap();

    let (status, c) = demo
        .put(
            &format!("/contacts/{id}"),
            // Syncro requires `name` on a contact PUT.
            json!({"name": "Tess", "title": "CFO", "properties": {"Shift": "Late"}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        c["properties"],
        json!({"title": "CFO", "Preferred": "email", "Shift": "Late"})
    );
    assert!(c.get("title").is_none());
    let shown = demo.get(&format!("/contacts/{id}")).await;
    assert_eq!(shown["properties"]["title"], "CFO");

    // Customer properties merge too.
    let (status, body) = demo
        .put(
            &format!("/customers/{customer}"),
            json!({"properties": {"Customer Type": "Non-Profit"}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["customer"]["properties"]["Customer Type"],
        "Non-Profit"
    );
    let (_, body) = demo
        .put(
            &format!("/customers/{customer}"),
            json!({"properties": {"Contract Tier": "Gold"}}),
        )
        .await;
    assert_eq!(
        body["customer"]["properties"],
        json!({"Customer Type": "Non-Profit", "Contract Tier": "Gold"})
    );
}

#[tokio::test]
async fn validation_errors_have_both_shapes() {
    let demo = Demo::start().await;
    let (status, body) = demo
        .post(
            "/customers",
            json!({"business_name": "Real Business", "email": "it is not an email"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["success"], false);
    assert_eq!(body["message"], json!(["Email is not an email"]));
    assert_eq!(body["params"]["email"], "it is not an email");

    let (status, body) = demo.post("/customers", json!({"email": "a@b.com"})).await;
    assert_eq!(status, 422);
    assert!(!body["message"].as_array().unwrap().is_empty());

    let (list, _) = demo.customers("").await;
    let id = list[0]["id"].as_u64().unwrap();
    let (status, body) = demo
        .put(&format!("/customers/{id}"), json!({"email": "nope"}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], json!(["Email is not an email"]));
    // Nothing was stored.
    let shown = demo.get(&format!("/customers/{id}")).await;
    assert_eq!(shown["customer"]["email"], list[0]["email"]);

    let (status, body) = demo
        .post("/contacts", json!({"customer_id": id, "email": "xxx"}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"], "Name can't be blank,Email is not an email");
    assert_eq!(body["record"]["id"], Value::Null);
    assert_eq!(body["record"]["email"], "xxx");

    for bad in [
        json!({"name": "Orphan"}),
        json!({"name": "Orphan", "customer_id": 1}),
    ] {
        let (status, body) = demo.post("/contacts", bad).await;
        assert_eq!(status, 422);
        assert!(
            body["errors"].as_str().unwrap().contains("Customer"),
            "{body}"
        );
    }

    let contact_id = list[0]["contacts"][0]["id"].as_u64().unwrap();
    let (status, body) = demo
        .put(&format!("/contacts/{contact_id}"), json!({"name": ""}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"], "Name can't be blank");
    assert_eq!(body["record"]["id"], contact_id);
}

#[tokio::test]
async fn not_found_and_delete() {
    let demo = Demo::start().await;
    for path in [
        "/customers/1",
        "/contacts/1",
        "/tickets/1",
        "/customer_assets/1",
        "/customers/abc",
    ] {
        let (status, body) = demo.call(Method::GET, path, None).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body, json!({"message": "Not found"}), "{path}");
    }
    let (status, _) = demo.put("/customers/1", json!({"notes": "x"})).await;
    assert_eq!(status, 404);

    let (customer, contact) = demo.new_customer("Short Lived LLC").await;
    let (_, other_contact) = demo.new_customer("Stays Around").await;
    let (status, body) = demo
        .call(Method::DELETE, &format!("/contacts/{other_contact}"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"success": true}));
    let (status, _) = demo
        .call(Method::GET, &format!("/contacts/{other_contact}"), None)
        .await;
    assert_eq!(status, 404);

    let (status, body) = demo
        .call(Method::DELETE, &format!("/customers/{customer}"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"message": "Customer was deleted from the system."})
    );
    for path in [
        format!("/customers/{customer}"),
        format!("/contacts/{contact}"),
    ] {
        let (status, _) = demo.call(Method::GET, &path, None).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, _) = demo
        .call(Method::DELETE, &format!("/customers/{customer}"), None)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn every_write_bumps_updated_at_and_timestamps_carry_an_offset() {
    let demo = Demo::start().await;
    let (customer, contact) = demo.new_customer("Bump Inc").await;
    let before =
        demo.get(&format!("/customers/{customer}")).await["customer"]["updated_at"].clone();
    let text = before.as_str().unwrap();
    // Milliseconds and a non-Z offset: 2026-11-26T15:04:05.123-05:00
    assert_eq!(text.len(), 29, "{text}");
    assert!(
        text.ends_with("-05:00") && text.as_bytes()[19] == b'.',
        "{text}"
    );

    let mut last = millis(&before);
    for i in 0..3 {
        let (_, body) = demo
            .put(
                &format!("/customers/{customer}"),
                json!({"notes": format!("n{i}")}),
            )
            .await;
        let now = millis(&body["customer"]["updated_at"]);
        assert!(now > last, "write {i}");
        last = now;
    }
    let c1 = millis(&demo.get(&format!("/contacts/{contact}")).await["updated_at"]);
    let (_, c) = demo
        .put(
            &format!("/contacts/{contact}"),
            json!({"name": "Ann Test", "notes": "x"}),
        )
        .await;
    assert!(millis(&c["updated_at"]) > c1);
}

#[tokio::test]
async fn tickets_and_assets_can_move_to_another_customer() {
    let demo = Demo::start().await;
    let (target, _) = demo.new_customer("Merge Target").await;
    let tickets = demo.get("/tickets").await;
    let ticket = &tickets["tickets"][0];
    let (tid, from) = (
        ticket["id"].as_u64().unwrap(),
        ticket["customer_id"].as_u64().unwrap(),
    );
    let before = demo.get(&format!("/tickets?customer_id={from}")).await["meta"]["total_entries"]
        .as_u64()
        .unwrap();

    let (status, body) = demo
        .put(&format!("/tickets/{tid}"), json!({"customer_id": target}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ticket"]["customer_id"], target);
    assert_eq!(
        body["ticket"]["customer_business_then_name"],
        "Merge Target"
    );
    let moved = demo.get(&format!("/tickets?customer_id={target}")).await;
    assert_eq!(ids(moved["tickets"].as_array().unwrap()), [tid]);
    let after = demo.get(&format!("/tickets?customer_id={from}")).await["meta"]["total_entries"]
        .as_u64()
        .unwrap();
    assert_eq!(after, before - 1);
    let shown = demo.get(&format!("/tickets/{tid}")).await;
    assert_eq!(shown["ticket"]["customer"]["id"], target);

    let assets = demo.get("/customer_assets").await;
    let aid = assets["assets"][0]["id"].as_u64().unwrap();
    let (status, body) = demo
        .put(
            &format!("/customer_assets/{aid}"),
            json!({"customer_id": target}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let moved = demo
        .get(&format!("/customer_assets?customer_id={target}"))
        .await;
    assert_eq!(ids(moved["assets"].as_array().unwrap()), [aid]);
    assert_eq!(moved["assets"][0]["customer"]["id"], target);

    // A customer that does not exist is refused.
    let (status, body) = demo
        .put(&format!("/tickets/{tid}"), json!({"customer_id": 1}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["success"], false);
    let (status, _) = demo
        .put(
            &format!("/customer_assets/{aid}"),
            json!({"customer_id": 1}),
        )
        .await;
    assert_eq!(status, 422);

    // Tickets list newest first.
    let list = demo.get(&format!("/tickets?customer_id={from}")).await;
    let created: Vec<i64> = list["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| millis(&t["created_at"]))
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]));
}

async fn limited(retry_after: bool) -> (Demo, reqwest::Response) {
    let demo = Demo::with(DemoConfig {
        customers: 30,
        rate_limit: Some(5),
        retry_after,
        ..DemoConfig::default()
    })
    .await;
    for _ in 0..5 {
        demo.get("/customers").await;
    }
    let resp = demo
        .http
        .get(demo.url("/customers"))
        .bearer_auth("demo")
        .send()
        .await
        .unwrap();
    (demo, resp)
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let (demo, resp) = limited(true).await;
    assert_eq!(resp.status(), 429);
    let secs: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&secs), "{secs}");
    let stats = demo.server.control().stats();
    assert_eq!(stats.rate_limited, 1);
    assert_eq!(stats.total, 6);
    assert_eq!(stats.by_route["GET /customers"], 6);
    // Refused requests do not use up the window; a reset frees it.
    demo.server.control().reset_rate_limit();
    demo.get("/customers").await;
}

#[tokio::test]
async fn rate_limit_without_retry_after() {
    let (demo, resp) = limited(false).await;
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().get("retry-after").is_none());
    assert!(!resp.text().await.unwrap().is_empty());
    demo.server.control().set_rate_limit(None);
    demo.get("/customers").await;
}

#[tokio::test]
async fn the_window_slides() {
    let demo = Demo::with(DemoConfig {
        customers: 30,
        rate_limit: Some(2),
        rate_window: Duration::from_millis(300),
        ..DemoConfig::default()
    })
    .await;
    demo.get("/customers").await;
    demo.get("/customers").await;
    let (status, _) = demo.call(Method::GET, "/customers", None).await;
    assert_eq!(status, 429);
    // Wait until the window has certainly moved on (no timing is asserted).
    tokio::time::sleep(Duration::from_millis(400)).await;
    demo.get("/customers").await;
}

#[tokio::test]
async fn same_seed_same_data() {
    let cfg = |seed| DemoConfig {
        customers: 250,
        seed,
        ..DemoConfig::default()
    };
    let a = Demo::with(cfg(9)).await;
    let b = Demo::with(cfg(9)).await;
    let c = Demo::with(cfg(10)).await;
    for path in [
        "/customers?page=2",
        "/contacts?page=3",
        "/tickets",
        "/invoices",
    ] {
        assert_eq!(a.get(path).await, b.get(path).await, "{path}");
    }
    assert_ne!(
        a.get("/customers?page=2").await,
        c.get("/customers?page=2").await
    );
    // The curated records come first whatever the seed.
    assert_eq!(
        a.get("/customers").await["customers"][0],
        c.get("/customers").await["customers"][0]
    );
}

#[tokio::test]
async fn generated_data_is_realistic() {
    let demo = Demo::start().await;
    let (list, meta) = demo.customers("include_disabled=true").await;
    assert_eq!(meta["total_entries"], 500);
    let first = &list[0];
    assert!((10_000_000..100_000_000).contains(&first["id"].as_u64().unwrap()));
    let contact = first["contacts"][0]["id"].as_u64().unwrap();
    assert!((1_000_000..10_000_000).contains(&contact));
    let ticket = demo.get("/tickets").await["tickets"][0]["id"]
        .as_u64()
        .unwrap();
    assert!((100_000_000..1_000_000_000).contains(&ticket));
    // The hostile record is there for the UI's sanitiser.
    let hostile = demo.customer_names("query=evil").await;
    assert_eq!(hostile.len(), 1);
    assert!(hostile[0].contains('\u{1b}') && hostile[0].contains('\u{202e}'));
    assert!(hostile[0].contains('\u{200b}'));
    // Created before updated, and a property-typed customer exists.
    let (all, _) = demo.customers("page=3").await;
    assert!(
        all.iter()
            .all(|c| millis(&c["created_at"]) <= millis(&c["updated_at"]))
    );
    assert!(
        list.iter()
            .any(|c| c["properties"]["Customer Type"] == "Government")
    );
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo-state.json");
    let cfg = DemoConfig {
        customers: 40,
        state: Some(path.clone()),
        ..DemoConfig::default()
    };
    let demo = Demo::with(cfg.clone()).await;
    let (customer, contact) = demo.new_customer("Persistent Plumbing").await;
    let (_, _) = demo
        .put(
            &format!("/contacts/{contact}"),
            json!({"name": "Ann Test", "title": "Owner"}),
        )
        .await;
    let first = demo.get("/customers").await["customers"][0]["id"]
        .as_u64()
        .unwrap();
    demo.call(Method::DELETE, &format!("/customers/{first}"), None)
        .await;
    demo.server.shutdown().await;
    assert!(path.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left behind");

    // A different seed and count: the state file wins.
    let again = Demo::with(DemoConfig {
        seed: 77,
        customers: 5,
        ..cfg
    })
    .await;
    let c = again.get(&format!("/customers/{customer}")).await;
    assert_eq!(c["customer"]["business_name"], "Persistent Plumbing");
    assert_eq!(c["customer"]["contacts"][0]["properties"]["title"], "Owner");
    let (status, _) = again
        .call(Method::GET, &format!("/customers/{first}"), None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(again.server.control().store().customer_count(), 40);
    // New ids continue above the old ones.
    let (next, _) = again.new_customer("Next One").await;
    assert!(next > customer);
    again.server.shutdown().await;
}

#[tokio::test]
async fn restart_on_the_same_port_with_the_same_data() {
    let demo = Demo::with(DemoConfig {
        customers: 40,
        ..DemoConfig::default()
    })
    .await;
    let (customer, _) = demo.new_customer("Same Port Ltd").await;
    let addr = demo.server.addr();
    let store = demo.server.control().store();
    let Demo { server, http } = demo;
    server.shutdown().await;

    let refused = http
        .get(format!("http://{addr}/api/v1/customers"))
        .bearer_auth("demo")
        .send()
        .await;
    assert!(refused.is_err(), "nothing answers after shutdown");

    let server = DemoServer::start_with_store(addr, DemoConfig::default(), store)
        .await
        .expect("restart on the same port");
    assert_eq!(server.addr(), addr);
    let demo = Demo { server, http };
    let c = demo.get(&format!("/customers/{customer}")).await;
    assert_eq!(c["customer"]["business_name"], "Same Port Ltd");
}

#[tokio::test]
async fn injected_faults() {
    let demo = Demo::start().await;
    let ctl = demo.server.control();
    let (customer, contact) = demo.new_customer("Faulty Towers").await;
    ctl.fail_next(
        FaultRule::new(Method::PUT, "/contacts")
            .status(503)
            .html("<html><body><h1>Down for maintenance</h1></body></html>")
            .retry_after(7)
            .times(2),
    );
    ctl.fail_next(
        FaultRule::any_method("/api/v1/tickets")
            .status(500)
            .text("boom"),
    );
    ctl.fail_next(
        FaultRule::new(Method::POST, "/customers")
            .status(429)
            .json(json!({"error": "slow down"})),
    );
    assert_eq!(ctl.pending_faults(), 4);

    // A GET on contacts is not matched.
    demo.get(&format!("/contacts/{contact}")).await;
    for _ in 0..2 {
        let resp = demo
            .http
            .put(demo.url(&format!("/contacts/{contact}")))
            .bearer_auth("demo")
            .json(&json!({"name": "Basil"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 503);
        assert_eq!(resp.headers()["retry-after"], "7");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(resp.text().await.unwrap().contains("maintenance"));
    }
    let (status, body) = demo
        .put(&format!("/contacts/{contact}"), json!({"name": "Basil"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["name"], "Basil");

    let (status, body) = demo.call(Method::GET, "/tickets", None).await;
    assert_eq!(status, 500);
    assert_eq!(body, Value::String("boom".into()));
    let (status, body) = demo.post("/customers", json!({"business_name": "X"})).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"], "slow down");
    assert_eq!(ctl.pending_faults(), 0);
    assert_eq!(ctl.stats().rate_limited, 1);

    // A broken connection after the headers: the body cannot be read.
    ctl.fail_next(
        FaultRule::new(Method::GET, "/customers/")
            .status(200)
            .disconnect()
            .delay(Duration::from_millis(10)),
    );
    let resp = demo
        .http
        .get(demo.url(&format!("/customers/{customer}")))
        .bearer_auth("demo")
        .send()
        .await;
    let read = match resp {
        Ok(r) => r.bytes().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(read.is_err(), "the body read fails");
    demo.get(&format!("/customers/{customer}")).await;

    // Latency can change at runtime (answers still arrive; timing is for benchmarks).
    ctl.set_latency(Duration::from_millis(20));
    demo.get(&format!("/customers/{customer}")).await;
    ctl.set_latency(Duration::ZERO);

    // A fault for a later request can be cleared.
    ctl.fail_next(FaultRule::new(Method::DELETE, "/customers"));
    ctl.clear_faults();
    let (status, _) = demo
        .call(Method::DELETE, &format!("/customers/{customer}"), None)
        .await;
    assert_eq!(status, 200);
}

// ---------------------------------------------------------------------------------------------
// The spec examples

/// The spec excerpt, copied from `../shared/syncro-openapi-excerpt.json`.
fn spec() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/it/fixtures/syncro-openapi-excerpt.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("spec fixture")).expect("spec JSON")
}

fn example(spec: &Value, path: &str, method: &str, status: &str) -> Value {
    let responses = &spec["paths"][path][method]["responses"][status]["content"];
    let example = responses["application/json"]["example"].clone();
    assert!(
        !example.is_null(),
        "no example for {method} {path} {status}"
    );
    example
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every key of `example` is in `actual` with the same JSON type. `null` in the example allows
/// any type; with `lenient`, a `null` in `actual` is accepted for a scalar too (an empty field
/// of one record). `properties` maps are free-form: only their type is compared. Arrays compare
/// their first elements.
fn shape_errors(example: &Value, actual: &Value, at: &str, lenient: bool, out: &mut Vec<String>) {
    match (example, actual) {
        (Value::Null, _) => {}
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                match a.get(k) {
                    None => out.push(format!("{at}.{k}: missing")),
                    Some(av) if k == "properties" => {
                        if !av.is_object() {
                            out.push(format!("{at}.{k}: {} instead of object", type_name(av)));
                        }
                    }
                    Some(av) => shape_errors(ev, av, &format!("{at}.{k}"), lenient, out),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let (Some(e0), Some(a0)) = (e.first(), a.first()) {
                shape_errors(e0, a0, &format!("{at}[0]"), lenient, out);
            }
        }
        (Value::Bool(_) | Value::Number(_) | Value::String(_), Value::Null) if lenient => {}
        (e, a) if type_name(e) == type_name(a) => {}
        (e, a) => out.push(format!(
            "{at}: {} instead of {}",
            type_name(a),
            type_name(e)
        )),
    }
}

fn assert_shape(example: &Value, actual: &Value, what: &str) {
    let mut errors = Vec::new();
    shape_errors(example, actual, what, false, &mut errors);
    assert!(
        errors.is_empty(),
        "{what} differs from the spec example:\n{}",
        errors.join("\n")
    );
}

/// The list's records all match the example's record leniently, and at least one exactly.
fn assert_list_shape(example: &Value, actual: &Value, key: &str) {
    let record = &example[key][0];
    let list = actual[key].as_array().expect("list");
    assert!(!list.is_empty(), "{key}: empty list");
    let mut exact = false;
    for (i, item) in list.iter().enumerate() {
        let mut errors = Vec::new();
        shape_errors(record, item, &format!("{key}[{i}]"), true, &mut errors);
        assert!(
            errors.is_empty(),
            "{key}[{i}] differs from the spec example:\n{}",
            errors.join("\n")
        );
        let mut strict = Vec::new();
        shape_errors(record, item, key, false, &mut strict);
        exact |= strict.is_empty();
    }
    assert!(
        exact,
        "{key}: no record has every field of the spec example filled"
    );
    let mut errors = Vec::new();
    let mut outer = example.clone();
    outer[key] = json!([]);
    shape_errors(&outer, actual, "", false, &mut errors);
    assert!(errors.is_empty(), "{key} envelope:\n{}", errors.join("\n"));
}

#[tokio::test]
async fn responses_match_the_spec_examples() {
    let spec = spec();
    let demo = Demo::start().await;

    // Lists.
    assert_list_shape(
        &example(&spec, "/customers", "get", "200"),
        &demo.get("/customers").await,
        "customers",
    );
    assert_list_shape(
        &example(&spec, "/contacts", "get", "200"),
        &demo.get("/contacts").await,
        "contacts",
    );
    assert_list_shape(
        &example(&spec, "/tickets", "get", "200"),
        &demo.get("/tickets").await,
        "tickets",
    );
    assert_list_shape(
        &example(&spec, "/customer_assets", "get", "200"),
        &demo.get("/customer_assets").await,
        "assets",
    );
    assert_list_shape(
        &example(&spec, "/invoices", "get", "200"),
        &demo.get("/invoices").await,
        "invoices",
    );

    // A fully filled customer and contact, created, shown and updated.
    let full_customer = json!({
        "business_name": "Shape Test LLC", "firstname": "Sam", "lastname": "Shape",
        "email": "sam@shape.example.com", "phone": "555-010-0000", "mobile": "555-010-0001",
        "address": "1 Main St", "address_2": "Suite 2", "city": "Portland", "state": "OR",
        "zip": "97201", "notes": "Notes", "referred_by": "Google", "tax_rate_id": 1,
        "notification_email": "billing@shape.example.com", "invoice_cc_emails": "cc@shape.example.com",
        "invoice_term_id": 2, "ref_customer_id": 3, "get_sms": true, "opt_out": false,
        "no_email": false, "properties": {"Customer Type": "Business"}
    });
    let (status, created) = demo.post("/customers", full_customer).await;
    assert_eq!(status, 200);
    assert_shape(
        &example(&spec, "/customers", "post", "200"),
        &created,
        "POST /customers",
    );
    let id = created["customer"]["id"].as_u64().unwrap();
    let full_contact = json!({
        "customer_id": id, "name": "Boba Fett", "address1": "8653 Ivan Flat", "address2": "Apt. 436",
        "city": "Tuanside", "state": "Delaware", "zip": "02293", "email": "boba@shape.example.com",
        "phone": "657.325.3258 x330", "mobile": "(133) 358-5295", "latitude": 67.9, "longitude": 91.6,
        "notes": "Talk Jabba.", "title": "Bounty Hunter"
    });
    let (status, contact) = demo.post("/contacts", full_contact).await;
    assert_eq!(status, 200);
    assert_shape(
        &example(&spec, "/contacts", "post", "200"),
        &contact,
        "POST /contacts",
    );
    let cid = contact["id"].as_u64().unwrap();
    let (_, updated) = demo
        .put(
            &format!("/contacts/{cid}"),
            json!({"name": "Boba Fett", "notes": "x"}),
        )
        .await;
    assert_shape(
        &example(&spec, "/contacts/{id}", "put", "200"),
        &updated,
        "PUT /contacts/{id}",
    );

    let shown = demo.get(&format!("/customers/{id}")).await;
    assert_shape(
        &example(&spec, "/customers/{id}", "get", "200"),
        &shown,
        "GET /customers/{id}",
    );
    let (_, put) = demo
        .put(&format!("/customers/{id}"), json!({"notes": "y"}))
        .await;
    assert_shape(
        &example(&spec, "/customers/{id}", "put", "200"),
        &put,
        "PUT /customers/{id}",
    );
    let listed = demo.get(&format!("/customers?id[]={id}")).await;
    assert_shape(
        &example(&spec, "/customers", "get", "200"),
        &listed,
        "GET /customers?id[]",
    );
    assert_shape(
        &example(&spec, "/customers/latest", "get", "200"),
        &demo.get("/customers/latest").await,
        "GET /customers/latest",
    );
    assert_shape(
        &example(&spec, "/customers/autocomplete", "get", "200"),
        &demo.get("/customers/autocomplete?query=shape").await,
        "GET /customers/autocomplete",
    );

    // A ticket with every example field filled, shown.
    let tickets = demo.get("/tickets").await;
    let tid = tickets["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| !t["due_date"].is_null() && !t["problem_type"].is_null())
        .and_then(|t| t["id"].as_u64())
        .expect("a ticket with a due date");
    let shown = demo.get(&format!("/tickets/{tid}")).await;
    let mut ex = example(&spec, "/tickets/{id}", "get", "200");
    assert_shape(&ex, &shown, "GET /tickets/{id}");
    let (_, put) = demo
        .put(&format!("/tickets/{tid}"), json!({"status": "Resolved"}))
        .await;
    ex = example(&spec, "/tickets/{id}", "put", "200");
    assert_shape(&ex, &put, "PUT /tickets/{id}");

    // Errors.
    let (status, body) = demo
        .post(
            "/customers",
            json!({"business_name": "Real Business", "firstname": "First",
                                     "lastname": "Last", "email": "it is not an email"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_shape(
        &example(&spec, "/customers", "post", "422"),
        &body,
        "POST /customers 422",
    );
    let (status, body) = demo
        .put(
            &format!("/customers/{id}"),
            json!({"email": "not an email"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_shape(
        &example(&spec, "/customers/{id}", "put", "422"),
        &body,
        "PUT /customers 422",
    );
    let (status, body) = demo
        .post(
            "/contacts",
            json!({"customer_id": id, "name": "Bad Email", "email": "xxx"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_shape(
        &example(&spec, "/contacts", "post", "422"),
        &body,
        "POST /contacts 422",
    );
    let (status, body) = demo
        .put(
            &format!("/contacts/{cid}"),
            json!({"name": "Boba Fett", "email": "xxx"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_shape(
        &example(&spec, "/contacts/{id}", "put", "422"),
        &body,
        "PUT /contacts 422",
    );
    let (status, body) = demo.call(Method::GET, "/contacts/1", None).await;
    assert_eq!(status, 404);
    assert_eq!(body, example(&spec, "/contacts/{id}", "get", "404"));
    let unauthorized = demo.http.get(demo.url("/contacts")).send().await.unwrap();
    assert_eq!(unauthorized.status(), 401);
    let body: Value = unauthorized.json().await.unwrap();
    assert_shape(&example(&spec, "/contacts", "get", "401"), &body, "401");
    let (status, body) = demo
        .call(Method::DELETE, &format!("/customers/{id}"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body, example(&spec, "/customers/{id}", "delete", "200"));
}

#[tokio::test]
async fn state_is_written_after_writes_without_a_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let demo = Demo::with(DemoConfig {
        customers: 25,
        state: Some(path.clone()),
        ..DemoConfig::default()
    })
    .await;
    let (customer, _) = demo.new_customer("Debounced Dairy").await;
    // The writer batches writes for a moment; poll for the file (bounded, not a timing check).
    let mut written = String::new();
    for _ in 0..200 {
        written = std::fs::read_to_string(&path).unwrap_or_default();
        if written.contains("Debounced Dairy") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        written.contains("Debounced Dairy"),
        "state file not written"
    );
    assert!(written.contains(&customer.to_string()));
}

/// `syncro-tui demo-server`: the first stdout line names the URL, the API answers, SIGTERM
/// stops it and flushes the state.
#[cfg(unix)]
#[tokio::test]
async fn the_cli_prints_its_url_and_flushes_state_on_sigterm() {
    use tokio::io::{AsyncBufReadExt, BufReader};

    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("cli-state.json");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_syncro-tui"))
        .args([
            "demo-server",
            "--customers",
            "30",
            "--api-key",
            "k3y",
            "--state",
        ])
        .arg(&state)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn syncro-tui");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next_line().await.unwrap().expect("a first line");
    let url = first
        .strip_prefix("listening on ")
        .expect("listening on ...");
    let port = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/api/v1"))
        .expect("http://127.0.0.1:PORT/api/v1");
    assert!(port.parse::<u16>().is_ok_and(|p| p > 0), "{first}");

    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{url}/customers"))
        .bearer_auth("k3y")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["meta"]["total_entries"].as_u64().map(|n| n <= 30),
        Some(true)
    );
    let resp = http
        .get(format!("{url}/customers"))
        .bearer_auth("demo")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = http
        .post(format!("{url}/customers"))
        .bearer_auth("k3y")
        .json(&json!({"business_name": "Signal Services"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let pid = child.id().expect("pid").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().await.unwrap();
    assert!(status.success(), "{status}");
    let saved = std::fs::read_to_string(&state).expect("state written on SIGTERM");
    assert!(saved.contains("Signal Services"));
}

#[tokio::test]
async fn assets_can_be_created_searched_and_carry_the_agent() {
    let spec = spec();
    let demo = Demo::start().await;
    let cid = demo.get("/customers").await["customers"][0]["id"]
        .as_u64()
        .unwrap();
    let before = demo
        .get(&format!("/customer_assets?customer_id={cid}"))
        .await["meta"]["total_entries"]
        .as_u64()
        .unwrap();

    // Refused without a name, a type or an existing customer (422, the customer shape).
    let (status, body) = demo
        .post("/customer_assets", json!({"customer_id": cid, "name": "X"}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["message"][0], "Asset type can't be blank");
    let (status, _) = demo
        .post(
            "/customer_assets",
            json!({"customer_id": 999_999_999u64, "name": "X", "asset_type_name": "Laptop"}),
        )
        .await;
    assert_eq!(status, 422);

    let (status, created) = demo
        .post(
            "/customer_assets",
            json!({"customer_id": cid, "name": "FRONT-DESK-PC", "asset_type_name": "Desktop",
                   "asset_serial": "SN-QZ-1", "properties": {"Room": "Lobby"}}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let a = &created["asset"];
    assert_eq!(a["name"], "FRONT-DESK-PC");
    assert_eq!(a["customer_id"], cid);
    // Added by hand: no agent inventory.
    assert!(a["properties"].get("kabuto_information").is_none());
    let list = demo
        .get(&format!("/customer_assets?customer_id={cid}"))
        .await;
    assert_eq!(list["meta"]["total_entries"].as_u64().unwrap(), before + 1);
    let found = demo.get("/customer_assets?query=sn-qz").await;
    assert_eq!(found["assets"].as_array().unwrap().len(), 1);
    assert_eq!(found["assets"][0]["name"], "FRONT-DESK-PC");

    // Generated workstations run the agent; its inventory is in the properties.
    let all = demo.get("/customer_assets").await;
    let agent = all["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["asset_type"] == "Laptop" || a["asset_type"] == "Desktop")
        .expect("a generated workstation");
    assert!(agent["properties"]["kabuto_information"]["last_synced_at"].is_string());

    // Contracts: the spec's envelope, 50 a page, `customer_id` ignored (not documented).
    let empty = demo.get("/contracts").await;
    assert_eq!(empty["contracts"], json!([]));
    let kid = demo
        .server
        .control()
        .store()
        .add_contract(cid, "Managed Services", "Active");
    let other = demo.get("/customers").await["customers"][1]["id"]
        .as_u64()
        .unwrap();
    demo.server
        .control()
        .store()
        .add_contract(other, "Break-fix", "Opportunity");
    let contracts = demo.get("/contracts?customer_id=1").await;
    assert_eq!(contracts["contracts"].as_array().unwrap().len(), 2);
    assert_eq!(contracts["contracts"][0]["id"], kid);
    assert_eq!(contracts["meta"]["per_page"], 50);
    assert_list_shape(
        &example(&spec, "/contracts", "get", "200"),
        &contracts,
        "contracts",
    );
}
