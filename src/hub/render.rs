//! Renderings with the caller's rights: the hub loads what an item refers to
//! (as the caller may see it) and the fact values of the caller's stage,
//! and hands them to the pure renderer (`crate::render`).
//!
//! Internal channels (the KCC) need an agent token: their rendering shows
//! internal notes.
//!
//! Renderings are cached under a key made of everything a rendering is made
//! from: the item's id, revision, stage and times, whether the caller sees
//! internal fields, the channel, the letter variables, the revision of every
//! item it refers to (and which of them the caller may see), a fingerprint
//! of the fact values, and today's date. A change to any of them is a new
//! key, so an entry is never stale and survives writes that do not touch
//! it; a fact changed once shows in every channel as soon as the mutation
//! returns. The fact values themselves are read again at each new change
//! sequence.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use super::{Hub, ItemView, Role, Viewer};
use crate::error::{Error, Result};
use crate::model::ChannelDef;
use crate::render::{self, Context, Item, Rendering};
use crate::store::Stage;

/// Fact values of one stage by (locale, slug).
pub(crate) type FactMap = HashMap<(String, String), String>;

/// Fact values with a fingerprint of all of them: equal fingerprints, equal
/// values (renderings made from them are keyed by it).
pub(crate) struct FactValues {
    pub map: FactMap,
    pub fingerprint: u64,
}

/// Something derived, with the change sequence it was made at.
type AtSeq<T> = Option<(i64, Arc<T>)>;

/// The most the rendering cache holds, in bytes of text (a web rendering of a
/// large product is 20–30 KB).
const RENDER_CACHE_BYTES: u64 = 32 * 1024 * 1024;
const RENDER_CACHE_EXPECTED: usize = 2048;

/// A rendering weighs the text it holds.
#[derive(Clone)]
struct Weigh;

impl quick_cache::Weighter<u64, Arc<Rendering>> for Weigh {
    fn weight(&self, _: &u64, r: &Arc<Rendering>) -> u64 {
        let text = r.html.as_ref().map_or(0, String::len)
            + r.text.as_ref().map_or(0, String::len)
            + r.sections.iter().map(|s| s.body.len()).sum::<usize>();
        (text + 1024) as u64
    }
}

/// Renderings by what they are made from, and fact values by sequence.
pub(super) struct RenderCache {
    renderings: quick_cache::sync::Cache<u64, Arc<Rendering>, Weigh>,
    /// Per stage (published, latest).
    facts: Mutex<[AtSeq<FactValues>; 2]>,
    /// Off only to measure what rendering costs (the benchmark).
    enabled: std::sync::atomic::AtomicBool,
}

impl Default for RenderCache {
    fn default() -> Self {
        RenderCache {
            renderings: quick_cache::sync::Cache::with_weighter(
                RENDER_CACHE_EXPECTED,
                RENDER_CACHE_BYTES,
                Weigh,
            ),
            facts: Mutex::new([None, None]),
            enabled: std::sync::atomic::AtomicBool::new(true),
        }
    }
}

fn stage_slot(stage: Stage) -> usize {
    match stage {
        Stage::Published => 0,
        Stage::Latest => 1,
    }
}

/// `YYYY-MM-DD` of a time in ms.
pub(super) fn date_of(ms: i64) -> String {
    super::ms_to_datetime(ms).chars().take(10).collect()
}

impl Hub {
    /// Turns the rendering cache off or on (to measure rendering itself).
    pub fn set_render_cache(&self, on: bool) {
        self.renders
            .enabled
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// The channel named `name`; an internal one needs an agent token.
    pub fn channel(&self, viewer: &Viewer, name: &str) -> Result<&ChannelDef> {
        let ch = self
            .model
            .channels
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| {
                let known: Vec<_> = self
                    .model
                    .channels
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect();
                Error::BadInput(format!(
                    "unknown channel `{name}`; known channels: {}",
                    known.join(", ")
                ))
            })?;
        if ch.internal {
            viewer.require(
                Role::Agent,
                &format!("the {} rendering (it shows internal notes)", ch.name),
            )?;
        }
        Ok(ch)
    }

    /// The fact values the caller's stage shows, read again at each new
    /// change sequence.
    pub(crate) async fn fact_map(&self, stage: Stage) -> Result<Arc<FactValues>> {
        let seq = self.seq();
        if let Some((at, map)) = &self.renders.facts.lock().expect("fact cache")[stage_slot(stage)]
            && *at == seq
        {
            return Ok(map.clone());
        }
        let mut rows = self.store.fact_values(stage).await?;
        rows.sort();
        let mut h = std::hash::DefaultHasher::new();
        rows.hash(&mut h);
        let values = Arc::new(FactValues {
            fingerprint: h.finish(),
            map: rows
                .into_iter()
                .map(|(locale, slug, value)| ((locale, slug), value))
                .collect(),
        });
        self.renders.facts.lock().expect("fact cache")[stage_slot(stage)] =
            Some((seq, values.clone()));
        Ok(values)
    }

    /// `item` rendered for the channel named `channel`, as `viewer` may see
    /// it. `variables` fill a letter's merge fields.
    pub async fn render(
        &self,
        viewer: &Viewer,
        item: &ItemView,
        channel: &str,
        variables: &BTreeMap<String, String>,
    ) -> Result<Arc<Rendering>> {
        self.render_with(viewer, item, channel, variables, None)
            .await
    }

    /// As [`Hub::render`], with the items `item` refers to already loaded
    /// for `viewer` (a GraphQL request loads them with the item, in one
    /// statement); None to load them here.
    pub async fn render_with(
        &self,
        viewer: &Viewer,
        item: &ItemView,
        channel: &str,
        variables: &BTreeMap<String, String>,
        refs: Option<&HashMap<String, Arc<ItemView>>>,
    ) -> Result<Arc<Rendering>> {
        self.render_inner(viewer, item, channel, variables, refs, true)
            .await
    }

    /// `item` as the editor UI holds it before saving, rendered for
    /// `channel`: never cached, because its content is not a revision.
    pub async fn preview(
        &self,
        viewer: &Viewer,
        item: &ItemView,
        channel: &str,
    ) -> Result<Arc<Rendering>> {
        self.render_inner(viewer, item, channel, &BTreeMap::new(), None, false)
            .await
    }

    async fn render_inner(
        &self,
        viewer: &Viewer,
        item: &ItemView,
        channel: &str,
        variables: &BTreeMap<String, String>,
        refs: Option<&HashMap<String, Arc<ItemView>>>,
        cacheable: bool,
    ) -> Result<Arc<Rendering>> {
        let ch = self.channel(viewer, channel)?;
        let ty = self.type_def(&item.type_name)?;
        let mut ids = Vec::new();
        for f in ty.reference_fields() {
            let mut r = item.reference_ids(&f.name);
            if let Some(max) = f.max_items {
                r.truncate(max);
            }
            ids.extend(r);
        }
        let fetched;
        let refs = match refs {
            Some(r) => r,
            None if ids.is_empty() => {
                fetched = HashMap::new();
                &fetched
            }
            None => {
                fetched = self.load_many(viewer, &ids).await?;
                &fetched
            }
        };
        let facts = self.fact_map(item.stage).await?;
        let today = date_of(super::now_ms());
        // Everything the rendering is made from (see the module's comment).
        let key = {
            let mut h = std::hash::DefaultHasher::new();
            (
                &item.id,
                &item.slug,
                item.version,
                item.updated_at,
                &item.review_by,
            )
                .hash(&mut h);
            (item.stage == Stage::Latest, viewer.role.sees_internal()).hash(&mut h);
            (&ch.name, variables, facts.fingerprint, &today).hash(&mut h);
            for id in &ids {
                match refs.get(id) {
                    Some(r) => (id, r.version, r.updated_at, &r.slug).hash(&mut h),
                    None => id.hash(&mut h),
                }
            }
            h.finish()
        };
        let cached = cacheable
            && self
                .renders
                .enabled
                .load(std::sync::atomic::Ordering::Relaxed);
        // The key is a 64-bit hash: a hit must also be for this item and channel.
        if cached
            && let Some(r) = self.renders.renderings.get(&key)
            && r.source.id == item.id
            && r.channel == ch.name
        {
            return Ok(r);
        }
        let dates: HashMap<&str, String> = refs
            .values()
            .map(|r| (r.id.as_str(), date_of(r.updated_at)))
            .collect();
        let ref_items: HashMap<String, Item> = refs
            .values()
            .map(|r| {
                (
                    r.id.clone(),
                    view_item(r, dates.get(r.id.as_str()).map(String::as_str)),
                )
            })
            .collect();
        let checked = date_of(item.updated_at);
        let ctx = Context {
            model: &self.model,
            channel: ch,
            refs: &ref_items,
            facts: &facts.map,
            variables,
            today: &today,
        };
        let rendered = Arc::new(render::render(&view_item(item, Some(&checked)), &ctx));
        if cached {
            self.renders.renderings.insert(key, rendered.clone());
        }
        Ok(rendered)
    }

    /// One Markdown field of `item` for a channel: HTML for the web, plain
    /// text for the others; None when the channel does not show the field.
    pub async fn render_field(
        &self,
        viewer: &Viewer,
        item: &ItemView,
        channel: &str,
        field: &str,
        variables: &BTreeMap<String, String>,
    ) -> Result<Option<String>> {
        let ch = self.channel(viewer, channel)?;
        let facts = self.fact_map(item.stage).await?;
        let refs = HashMap::new();
        let today = date_of(super::now_ms());
        let ctx = Context {
            model: &self.model,
            channel: ch,
            refs: &refs,
            facts: &facts.map,
            variables,
            today: &today,
        };
        Ok(render::render_field(&view_item(item, None), &ctx, field))
    }
}

fn view_item<'a>(v: &'a ItemView, checked_on: Option<&'a str>) -> Item<'a> {
    Item {
        id: &v.id,
        type_name: &v.type_name,
        slug: &v.slug,
        locale: &v.locale,
        version: v.version,
        review_by: v.review_by.as_deref(),
        checked_on,
        fields: &v.fields,
    }
}
