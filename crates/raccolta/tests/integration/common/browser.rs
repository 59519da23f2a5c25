//! A browser without JavaScript for the tests: keeps the session cookie, reads hidden fields, does not follow
//! redirects.

use super::TestApp;

/// A browser without JavaScript: keeps the session cookie, reads hidden fields.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookie: Option<String>,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    pub fn hidden(&self, name: &str) -> String {
        let needle = format!(r#"name="{name}" value=""#);
        let start =
            self.body.find(&needle).unwrap_or_else(|| panic!("no hidden {name} in {}", self.body)) + needle.len();
        self.body[start..].split('"').next().unwrap().to_owned()
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser { app, cookie: None }
    }

    fn keep_cookie(&mut self, res: &reqwest::Response) {
        for v in res.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            if pair.starts_with("raccolta_sessione=") {
                if v.contains("Max-Age=0") || pair.ends_with('=') {
                    self.cookie = None;
                } else {
                    self.cookie = Some(pair.to_owned());
                }
            }
        }
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = match &self.cookie {
            Some(c) => req.header("cookie", c),
            None => req,
        };
        let res = req.send().await.unwrap();
        self.keep_cookie(&res);
        let status = res.status().as_u16();
        let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
        Page { status, location, body: res.text().await.unwrap() }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let url = if path.starts_with("http") { path.to_owned() } else { format!("{}{path}", self.app.base) };
        let req = self.app.client.get(url);
        self.send(req).await
    }

    /// A download: status, content type and the bytes as sent.
    pub async fn scarica(&mut self, path: &str) -> (u16, String, Vec<u8>) {
        let mut req = self.app.client.get(format!("{}{path}", self.app.base));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let res = req.send().await.unwrap();
        self.keep_cookie(&res);
        let status = res.status().as_u16();
        let tipo = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        (status, tipo, res.bytes().await.unwrap().to_vec())
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.app.client.post(format!("{}{path}", self.app.base)).form(form);
        self.send(req).await
    }
}
