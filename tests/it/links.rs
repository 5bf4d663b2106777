//! E-mail addresses and phone numbers as links, through the real loop (in-process runner):
//! the Overview's e-mail and phone become `mailto:` and `tel:` links, a dialog over them
//! takes them away, and `hyperlinks = false` turns them off.

use syncro_tui::tui::testing::{Options, Runner};

use crate::pty::{KEY, demo_server};

fn options(base_url: &str, config: &str) -> Options {
    let mut o = Options::new(base_url);
    o.api_key = Some(KEY.into());
    o.config = config.to_string();
    o
}

async fn links_when(r: &Runner, pred: impl Fn(&[String]) -> bool) -> Vec<String> {
    for _ in 0..300 {
        let links = r.recorded().links;
        if pred(&links) {
            return links;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!(
        "links not as expected: {:?}\n{}",
        r.recorded().links,
        r.screen()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_links_its_address_and_numbers() {
    let server = demo_server().await;
    let r = Runner::start(options(&server.base_url(), "hyperlinks = true\n")).unwrap();
    r.wait_for_text("synced just now").await;
    r.keys("/Acme Dental\n");
    r.wait_for_text("sandy@acmedental.com").await;
    let links = links_when(&r, |l| l.iter().any(|t| t == "mailto:sandy@acmedental.com")).await;
    assert!(links.iter().any(|t| t.starts_with("tel:")), "{links:?}");
    assert!(
        links
            .iter()
            .all(|t| t.bytes().all(|b| (0x21..0x7f).contains(&b))),
        "{links:?}"
    );
    // The help over the panes covers them: no link is left under it.
    r.keys("?");
    r.wait_for_text("Help").await;
    links_when(&r, |l| {
        !l.iter().any(|t| t == "mailto:sandy@acmedental.com")
    })
    .await;
    r.stop().await;

    let r = Runner::start(options(&server.base_url(), "hyperlinks = false\n")).unwrap();
    r.wait_for_text("synced just now").await;
    r.keys("/Acme Dental\n");
    r.wait_for_text("sandy@acmedental.com").await;
    assert!(r.recorded().links.is_empty());
    r.stop().await;
}
