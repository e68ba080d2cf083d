//! Card callbacks and link previews: `card.action.trigger`, the legacy card callback, and
//! `url.preview.get`, with their typed replies.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::envelope::Schema;
use crate::event::{EventPayload, HandlerError, IntoReply};

/// The event type of a card's interaction callback (schema 2.0).
pub const CARD_ACTION_TRIGGER: &str = "card.action.trigger";
/// The event type of a link preview callback (schema 2.0).
pub const URL_PREVIEW_GET: &str = "url.preview.get";

/// Who acted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Operator {
    /// The operator's tenant.
    pub tenant_key: Option<String>,
    /// Their user id.
    pub user_id: Option<String>,
    /// Their open id, `ou_…`.
    pub open_id: Option<String>,
    /// Their union id, `on_…`.
    pub union_id: Option<String>,
}

/// What was done on the card: the component and what it carries.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Action {
    /// The `value` the component was given (an object).
    pub value: Option<Value>,
    /// The component's tag, e.g. `button`, `select_static`.
    pub tag: Option<String>,
    /// The option picked.
    pub option: Option<String>,
    /// The user's time zone (date pickers).
    pub timezone: Option<String>,
    /// The component's name.
    pub name: Option<String>,
    /// A form's values, by component name.
    pub form_value: Option<Value>,
    /// An input's text.
    pub input_value: Option<String>,
    /// A multi-select's options.
    pub options: Option<Vec<String>>,
    /// A checker's state.
    pub checked: Option<bool>,
}

/// Where the card is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CardContext {
    /// The previewed link (link previews).
    pub url: Option<String>,
    /// The preview's token (link previews).
    pub preview_token: Option<String>,
    /// The message the card is in.
    pub open_message_id: Option<String>,
    /// The chat the card is in.
    pub open_chat_id: Option<String>,
}

/// `card.action.trigger`: someone interacted with a card.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct CardAction {
    /// Who acted.
    pub operator: Option<Operator>,
    /// The card's update token (for a delayed update of the card; valid about 30 minutes).
    pub token: Option<String>,
    /// What was done.
    pub action: Option<Action>,
    /// Where the card is shown: `im_message`, `im_top_notice`.
    pub host: Option<String>,
    /// How the card was delivered, e.g. `url_preview`.
    pub delivery_type: Option<String>,
    /// The card's message and chat, or previewed link.
    pub context: Option<CardContext>,
}

impl EventPayload for CardAction {
    const EVENT_TYPE: &'static str = CARD_ACTION_TRIGGER;
    const SCHEMA: Schema = Schema::V2;
    const IS_CALLBACK: bool = true;
}

/// The legacy card callback (message cards of the old generation): its body is the payload.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct LegacyCardAction {
    /// The operator's open id.
    pub open_id: Option<String>,
    /// The operator's user id.
    pub user_id: Option<String>,
    /// The operator's tenant.
    pub tenant_key: Option<String>,
    /// The message the card is in.
    pub open_message_id: Option<String>,
    /// The chat the card is in.
    pub open_chat_id: Option<String>,
    /// The card's update token.
    pub token: Option<String>,
    /// What was done.
    pub action: Option<Action>,
}

impl EventPayload for LegacyCardAction {
    const EVENT_TYPE: &'static str = crate::LEGACY_CARD_ACTION;
    const SCHEMA: Schema = Schema::LegacyCard;
    const IS_CALLBACK: bool = true;
}

/// `url.preview.get`: a link of the app's domains is about to be previewed.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct UrlPreview {
    /// Who is looking.
    pub operator: Option<Operator>,
    /// Where the link is shown.
    pub host: Option<String>,
    /// The link and its preview token.
    pub context: Option<CardContext>,
}

impl EventPayload for UrlPreview {
    const EVENT_TYPE: &'static str = URL_PREVIEW_GET;
    const SCHEMA: Schema = Schema::V2;
    const IS_CALLBACK: bool = true;
}

/// The kind of a toast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ToastKind {
    /// `info`.
    Info,
    /// `success`.
    Success,
    /// `error`.
    Error,
    /// `warning`.
    Warning,
}

/// A toast shown to the person who acted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Toast {
    /// Its kind.
    #[serde(rename = "type")]
    pub kind: ToastKind,
    /// Its text.
    pub content: String,
    /// Its text per locale (`zh_cn`, `en_us`, `ja_jp`, …).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub i18n: BTreeMap<String, String>,
}

impl Toast {
    /// A toast of `kind` saying `content`.
    pub fn new(kind: ToastKind, content: impl Into<String>) -> Self {
        Self {
            kind,
            content: content.into(),
            i18n: BTreeMap::new(),
        }
    }
    /// An `info` toast.
    pub fn info(content: impl Into<String>) -> Self {
        Self::new(ToastKind::Info, content)
    }
    /// A `success` toast.
    pub fn success(content: impl Into<String>) -> Self {
        Self::new(ToastKind::Success, content)
    }
    /// An `error` toast.
    pub fn error(content: impl Into<String>) -> Self {
        Self::new(ToastKind::Error, content)
    }
    /// A `warning` toast.
    pub fn warning(content: impl Into<String>) -> Self {
        Self::new(ToastKind::Warning, content)
    }
    /// Adds the text for `locale`.
    pub fn i18n(mut self, locale: impl Into<String>, content: impl Into<String>) -> Self {
        self.i18n.insert(locale.into(), content.into());
        self
    }
}

/// A card to show instead of the current one: its JSON, or a template from the card builder.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "data", rename_all = "lowercase")]
#[non_exhaustive]
pub enum CardReply {
    /// The card's JSON.
    Raw(Value),
    /// A card template.
    Template(CardTemplate),
}

/// A card template and its variables.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CardTemplate {
    /// The template's id.
    pub template_id: String,
    /// The values of its variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_variable: Option<Value>,
    /// The template's version name (the newest when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_version_name: Option<String>,
}

impl CardReply {
    /// A card given as its JSON.
    pub fn raw(card: Value) -> Self {
        Self::Raw(card)
    }
    /// A card template, with its variables and version name when given.
    pub fn template(
        template_id: impl Into<String>,
        template_variable: Option<Value>,
        template_version_name: Option<String>,
    ) -> Self {
        Self::Template(CardTemplate {
            template_id: template_id.into(),
            template_variable,
            template_version_name,
        })
    }
}

/// The answer to a [`CardAction`]: a toast, a new card, both or neither.
///
/// ```
/// use feishu_openapi_events::card::{CardActionReply, CardReply, Toast};
/// let reply = CardActionReply::new()
///     .toast(Toast::success("Approved").i18n("en_us", "Approved"))
///     .card(CardReply::template("AAqk1234", Some(serde_json::json!({"state": "done"})), None));
/// let json = serde_json::to_value(&reply).unwrap();
/// assert_eq!(json["toast"]["type"], "success");
/// assert_eq!(json["card"]["type"], "template");
/// assert_eq!(json["card"]["data"]["template_id"], "AAqk1234");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CardActionReply {
    /// A toast to show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub toast: Option<Toast>,
    /// A card replacing the current one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<CardReply>,
}

impl CardActionReply {
    /// An empty reply (`{}`): nothing changes.
    pub fn new() -> Self {
        Self::default()
    }
    /// Shows `toast`.
    pub fn toast(mut self, toast: Toast) -> Self {
        self.toast = Some(toast);
        self
    }
    /// Replaces the card.
    pub fn card(mut self, card: CardReply) -> Self {
        self.card = Some(card);
        self
    }
}

/// Where a previewed link opens, per platform.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PreviewUrl {
    /// The link copied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_url: Option<String>,
    /// On iOS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ios: Option<String>,
    /// On Android.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub android: Option<String>,
    /// On desktop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pc: Option<String>,
    /// On the web.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web: Option<String>,
}

/// A link's inline preview: a title, an icon and where it opens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct InlinePreview {
    /// The title.
    pub title: String,
    /// The title per locale.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub i18n_title: BTreeMap<String, String>,
    /// The icon's image key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_key: Option<String>,
    /// Where it opens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<PreviewUrl>,
}

impl InlinePreview {
    /// A preview titled `title`.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }
    /// Adds the title for `locale`.
    pub fn i18n_title(mut self, locale: impl Into<String>, title: impl Into<String>) -> Self {
        self.i18n_title.insert(locale.into(), title.into());
        self
    }
    /// Sets the icon.
    pub fn image_key(mut self, image_key: impl Into<String>) -> Self {
        self.image_key = Some(image_key.into());
        self
    }
    /// Sets where it opens.
    pub fn url(mut self, url: PreviewUrl) -> Self {
        self.url = Some(url);
        self
    }
}

/// The answer to a [`UrlPreview`]: an inline preview, a card, or both.
///
/// ```
/// use feishu_openapi_events::card::{InlinePreview, PreviewUrl, UrlPreviewReply};
/// let mut url = PreviewUrl::default();
/// url.web = Some("https://example.com/doc/1".into());
/// let reply = UrlPreviewReply::new().inline(InlinePreview::new("Doc 1").url(url));
/// let json = serde_json::to_value(&reply).unwrap();
/// assert_eq!(json["inline"]["url"]["web"], "https://example.com/doc/1");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct UrlPreviewReply {
    /// The inline preview.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inline: Option<InlinePreview>,
    /// A card preview.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<CardReply>,
}

impl UrlPreviewReply {
    /// An empty reply.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the inline preview.
    pub fn inline(mut self, inline: InlinePreview) -> Self {
        self.inline = Some(inline);
        self
    }
    /// Sets the card preview.
    pub fn card(mut self, card: CardReply) -> Self {
        self.card = Some(card);
        self
    }
}

fn to_reply<T: Serialize>(reply: &T) -> Result<Option<Value>, HandlerError> {
    Ok(Some(serde_json::to_value(reply)?))
}

impl IntoReply for CardActionReply {
    fn into_reply(self) -> Result<Option<Value>, HandlerError> {
        to_reply(&self)
    }
}

impl IntoReply for UrlPreviewReply {
    fn into_reply(self) -> Result<Option<Value>, HandlerError> {
        to_reply(&self)
    }
}
