//! Generates the `auth` client (which the token cache calls) from `openapi/auth.yaml`, a link to
//! the workspace's spec, with the crate's code generator (`codegen/`).

fn main() {
    feishu_openapi_codegen::build::service("auth");
}
