//! Reading `/api/openapi.json`: its operations, example bodies built from
//! the request schemas, and the body fields that name a user's records.

use serde_json::{Map, Value, json};

use super::{Client, TestApp};

pub async fn document(app: &TestApp) -> Value {
    Client::new()
        .send(&app.router, "GET", "/api/openapi.json", None)
        .await
        .json
}

/// Every operation as (method, path template, operation object).
pub fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            all.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    all
}

/// Follows `$ref`s to the schema they name.
fn resolve<'a>(mut schema: &'a Value, doc: &'a Value) -> &'a Value {
    for _ in 0..8 {
        let Some(reference) = schema["$ref"].as_str() else {
            break;
        };
        let name = reference.rsplit('/').next().unwrap();
        schema = &doc["components"]["schemas"][name];
    }
    schema
}

/// A minimal body that satisfies the request schema, so that a handler
/// gets past validation to its ownership check.
pub fn example(schema: &Value, doc: &Value, depth: usize) -> Value {
    if depth > 6 {
        return Value::Null;
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        return example(&doc["components"]["schemas"][name], doc, depth + 1);
    }
    if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        return options
            .first()
            .map_or(Value::Null, |s| example(s, doc, depth + 1));
    }
    if let Some(values) = schema["enum"].as_array() {
        return values.first().cloned().unwrap_or(Value::Null);
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds
            .iter()
            .find(|k| *k != "null")
            .cloned()
            .unwrap_or(Value::Null),
        other => other.clone(),
    };
    match kind.as_str() {
        Some("object") => {
            let mut object = Map::new();
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(properties) = schema["properties"].as_object() {
                for (name, property) in properties {
                    if required.contains(&name.as_str()) {
                        object.insert(name.clone(), example(property, doc, depth + 1));
                    }
                }
            }
            Value::Object(object)
        }
        Some("array") => json!([]),
        Some("integer") => json!(1),
        Some("number") => json!(1),
        Some("boolean") => json!(true),
        Some("string") => match schema["format"].as_str() {
            Some("date") => json!("2026-03-01"),
            Some("date-time") => json!("2026-03-01T00:00:00Z"),
            _ => json!("x"),
        },
        _ => Value::Null,
    }
}

pub fn request_body(operation: &Value, doc: &Value) -> Option<Value> {
    let schema = body_schema(operation);
    (!schema.is_null()).then(|| example(schema, doc, 0))
}

fn body_schema(operation: &Value) -> &Value {
    &operation["requestBody"]["content"]["application/json"]["schema"]
}

/// One step from a request body down to a field inside it.
#[derive(Debug, Clone)]
pub enum Step {
    Key(String),
    /// The first element of an array; made from this example when absent.
    Item(Value),
}

/// A request body field that names one or more records of the user.
#[derive(Debug, Clone)]
pub struct IdField {
    /// The way from the body to the field, the field's own key last.
    pub steps: Vec<Step>,
    /// The field's key: `bill_id`, `ids`, `id`.
    pub name: String,
    /// An array of ids rather than one id.
    pub many: bool,
    /// The word naming the records: `bill` for `bill_id`, and for `id` or
    /// `ids` the enclosing property or else the route's resource.
    pub kind: String,
}

impl IdField {
    /// The field as people write it: `income[].id`.
    pub fn label(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            match step {
                Step::Key(key) if out.is_empty() => out.push_str(key),
                Step::Key(key) => out.push_str(&format!(".{key}")),
                Step::Item(_) => out.push_str("[]"),
            }
        }
        out
    }

    /// `body` with this field set to `ids` (one id unless `many`).
    pub fn set(&self, body: &Value, ids: &[i64]) -> Value {
        let value = if self.many {
            json!(ids)
        } else {
            assert_eq!(ids.len(), 1, "{} holds one id", self.label());
            json!(ids[0])
        };
        let mut body = body.clone();
        place(&mut body, &self.steps, value);
        body
    }
}

fn place(at: &mut Value, steps: &[Step], value: Value) {
    match steps.split_first() {
        None => *at = value,
        Some((Step::Key(key), rest)) => {
            if !at.is_object() {
                *at = json!({});
            }
            let entry = at
                .as_object_mut()
                .unwrap()
                .entry(key.clone())
                .or_insert(Value::Null);
            place(entry, rest, value);
        }
        Some((Step::Item(item), rest)) => {
            if at.as_array().is_none_or(Vec::is_empty) {
                *at = json!([item.clone()]);
            }
            place(&mut at[0], rest, value);
        }
    }
}

fn has_type(schema: &Value, doc: &Value, wanted: &str) -> bool {
    let schema = resolve(schema, doc);
    let direct = match &schema["type"] {
        Value::String(kind) => kind == wanted,
        Value::Array(kinds) => kinds.iter().any(|k| k == wanted),
        _ => false,
    };
    direct
        || ["oneOf", "anyOf"].iter().any(|key| {
            schema[*key]
                .as_array()
                .is_some_and(|options| options.iter().any(|o| has_type(o, doc, wanted)))
        })
}

fn items<'a>(schema: &'a Value, doc: &'a Value) -> Option<&'a Value> {
    let schema = resolve(schema, doc);
    if !schema["items"].is_null() {
        return Some(&schema["items"]);
    }
    ["oneOf", "anyOf"].iter().find_map(|key| {
        schema[*key]
            .as_array()?
            .iter()
            .find_map(|option| items(option, doc))
    })
}

/// Every integer field named `id` or `*_id`, and every integer array named
/// `ids` or `*_ids`, anywhere in the operation's JSON request body.
/// `resource` is the route's first segment after `/api/` (`payments`).
pub fn id_fields(operation: &Value, doc: &Value, resource: &str) -> Vec<IdField> {
    let mut found = Vec::new();
    walk(body_schema(operation), doc, &[], resource, 0, &mut found);
    let mut seen = std::collections::HashSet::new();
    found.retain(|field| seen.insert(field.label()));
    found
}

fn walk(
    schema: &Value,
    doc: &Value,
    steps: &[Step],
    parent: &str,
    depth: usize,
    found: &mut Vec<IdField>,
) {
    if depth > 8 || schema.is_null() {
        return;
    }
    let schema = resolve(schema, doc);
    for key in ["oneOf", "anyOf", "allOf"] {
        for option in schema[key].as_array().into_iter().flatten() {
            walk(option, doc, steps, parent, depth + 1, found);
        }
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let mut here = steps.to_vec();
        here.push(Step::Key(name.clone()));
        let one = (name == "id" || name.ends_with("_id")) && has_type(property, doc, "integer");
        let many = (name == "ids" || name.ends_with("_ids"))
            && items(property, doc).is_some_and(|i| has_type(i, doc, "integer"));
        if one || many {
            let kind = match name.rsplit_once('_') {
                Some((kind, "id" | "ids")) => kind.to_string(),
                _ => parent.to_string(),
            };
            found.push(IdField {
                steps: here,
                name: name.clone(),
                many,
                kind,
            });
        } else {
            walk(property, doc, &here, name, depth + 1, found);
        }
    }
    if has_type(schema, doc, "array")
        && let Some(item) = items(schema, doc)
    {
        let mut here = steps.to_vec();
        here.push(Step::Item(example(item, doc, 0)));
        walk(item, doc, &here, parent, depth + 1, found);
    }
}

/// The names of a path template's parameters, in order.
pub fn path_params(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}'))
        .map(|(name, _)| name.to_string())
        .collect()
}

/// The word naming the records a path parameter points at: `bill` for
/// `{bill_id}`, the segment before it (`bills`) for `{id}`.
pub fn param_kind(path: &str, name: &str) -> String {
    if let Some(kind) = name.strip_suffix("_id") {
        return kind.to_string();
    }
    let before = &path[..path.find(&format!("{{{name}}}")).unwrap()];
    before
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

/// The path template with its parameters replaced by `values`, in order.
pub fn fill_values(path: &str, values: &[String]) -> String {
    let mut out = String::new();
    let mut rest = path;
    for value in values {
        let start = rest.find('{').unwrap();
        let end = rest.find('}').unwrap();
        out.push_str(&rest[..start]);
        out.push_str(value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `?year=2026&month=3` and an example for every other required query
/// parameter; with `all_months`, year and month even when optional.
pub fn query(operation: &Value, doc: &Value, all_months: bool) -> String {
    let mut pairs = Vec::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let name = parameter["name"].as_str().unwrap();
        if parameter["in"] != "query" {
            continue;
        }
        let required = parameter["required"] == true;
        let value = match name {
            "year" if required || all_months => "2026".to_string(),
            "month" if required || all_months => "3".to_string(),
            _ if required => match example(&parameter["schema"], doc, 0) {
                Value::String(text) => text,
                other => other.to_string(),
            },
            _ => continue,
        };
        pairs.push(format!("{name}={value}"));
    }
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}
