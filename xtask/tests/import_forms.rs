//! Page forms the seed page does not show: a path parameter, a GET without a body, other query
//! parameters, defaults, arrays and booleans, nested response data.

use serde_json::{json, Value};

const TASK_PAGE: &str = r#"## 查询导出任务结果

查看异步导出的进度。

## 请求

| 基本 | |
| --- | --- |
| HTTP URL | `https://open.feishu.cn/open-apis/vc/v1/exports/:task_id` |
| HTTP Method | GET |
| 支持的访问令牌 | tenant_access_token |
| 权限要求 | vc:export |

### 路径参数

| 参数名 | 类型 | 必填 | 描述 |
| ------ | ---- | ---- | ---- |
| task_id | string | 是 | 任务id <br> **示例**: 7111325589855797267 |

### 查询参数

| 参数名 | 类型 | 必填 | 描述 |
| ------ | ---- | ---- | ---- |
| page_size | int | 否 | 分页大小 <br> **示例**: 20 <br> **默认值**: 20 |

### 响应

**响应示例**:

```json
{
    "code": 0,
    "msg": "success",
    "data": {
        "status": 3,
        "url": "https://example.com/file",
        "done": true,
        "ratio": 0.5,
        "rooms": [{"room_id": "omm_1"}]
    }
}
```
"#;

fn import(page: &str) -> Value {
    let yaml = xtask::import_page(page, &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    yaml_serde::from_str(&yaml).unwrap()
}

#[test]
fn a_get_with_a_path_parameter() {
    let spec = import(TASK_PAGE);
    let op = &spec["paths"]["/open-apis/vc/v1/exports/{task_id}"]["get"];
    assert_eq!(op["operationId"], "export_get");
    assert_eq!(op["tags"], json!(["vc.export"]));
    assert_eq!(op["security"], json!([{"tenant_access_token": []}]));
    assert_eq!(op["x-feishu-scopes"], json!(["vc:export"]));
    assert!(op.get("x-feishu-permissions").is_none());
    assert!(op.get("requestBody").is_none());
    assert_eq!(
        op["parameters"],
        json!([
            {"name": "task_id", "in": "path", "required": true, "description": "任务id",
             "schema": {"type": "string"}, "example": "7111325589855797267"},
            {"name": "page_size", "in": "query", "required": false, "description": "分页大小",
             "schema": {"type": "integer", "default": 20}, "example": 20},
        ])
    );
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/ExportGetResponse"})
    );
    assert_eq!(
        spec["components"]["schemas"]["ExportGetResponseData"],
        json!({
            "type": "object",
            "required": ["status", "url", "done", "ratio", "rooms"],
            "properties": {
                "status": {"type": "integer", "example": 3},
                "url": {"type": "string", "example": "https://example.com/file"},
                "done": {"type": "boolean", "example": true},
                "ratio": {"type": "number", "example": 0.5},
                "rooms": {"type": "array", "items": {
                    "type": "object", "required": ["room_id"],
                    "properties": {"room_id": {"type": "string", "example": "omm_1"}}
                }}
            }
        })
    );
}

#[test]
fn the_operation_id_and_tag_can_be_overridden() {
    let options = xtask::import::Options {
        operation_id: Some("export_task_get".into()),
        tag: Some("vc.export_task".into()),
    };
    let yaml = xtask::import_page(TASK_PAGE, &options).unwrap();
    assert!(yaml.contains("operationId: export_task_get\n"), "{yaml}");
    assert!(yaml.contains("tags: [vc.export_task]\n"), "{yaml}");
    assert!(yaml.contains("ExportTaskGetResponse:"), "{yaml}");
}

#[test]
fn a_path_parameter_must_match_the_url() {
    let page = TASK_PAGE.replace("| task_id | string | 是 |", "| id | string | 是 |");
    let error = xtask::import_page(&page, &Default::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 18: path parameter `id` is not in the URL"
    );
    let page = TASK_PAGE.replace("| task_id | string | 是 |", "| task_id | string | 否 |");
    let error = xtask::import_page(&page, &Default::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 18: a path parameter is always required (是)"
    );
}

#[test]
fn a_response_example_that_cannot_be_typed_is_refused() {
    let page = TASK_PAGE.replace("\"rooms\": [{\"room_id\": \"omm_1\"}]", "\"rooms\": []");
    let error = xtask::import_page(&page, &Default::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 30: response example: data.rooms: an empty array cannot be typed; give one element in the example"
    );
    let page = TASK_PAGE.replace("\"url\": \"https://example.com/file\"", "\"url\": null");
    let error = xtask::import_page(&page, &Default::default()).unwrap_err();
    assert!(
        error.to_string().contains("data.url: null cannot be typed"),
        "{error}"
    );
}
