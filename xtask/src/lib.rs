//! Maintainer tools for feishu-openapi.
