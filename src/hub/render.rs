//! Renderings with the caller's rights: the hub loads what an item refers to
//! (as the caller may see it) and the fact values of the caller's stage,
//! and hands them to the pure renderer (`crate::render`).
//!
//! Internal channels (the KCC) need an agent token: their rendering shows
//! internal notes. Renderings and fact values are cached at the change
//! sequence they were made at, like answers: any later change-log entry
//! (this process's or another's, through the follower) makes them stale, so
//! a fact changed once shows in every channel before the mutation returns.

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

/// Something derived, with the change sequence it was made at.
type AtSeq<T> = Option<(i64, Arc<T>)>;

/// The most the rendering cache holds, in bytes of text (a web rendering of a
/// large product is 20–30 KB).
const RENDER_CACHE_BYTES: u64 = 32 * 1024 * 1024;
const RENDER_CACHE_EXPECTED: usize = 2048;

/// A rendering weighs the text it holds.
#[derive(Clone)]
struct Weigh;

impl quick_cache::Weighter<u64, (i64, Arc<Rendering>)> for Weigh {
    fn weight(&self, _: &u64, (_, r): &(i64, Arc<Rendering>)) -> u64 {
        let text = r.html.as_ref().map_or(0, String::len)
            + r.text.as_ref().map_or(0, String::len)
            + r.sections.iter().map(|s| s.body.len()).sum::<usize>();
        (text + 1024) as u64
    }
}

/// Renderings and fact values, each valid at the sequence it was made at.
pub(super) struct RenderCache {
    renderings: quick_cache::sync::Cache<u64, (i64, Arc<Rendering>), Weigh>,
    /// Per stage (published, latest).
    facts: Mutex<[AtSeq<FactMap>; 2]>,
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
fn date_of(ms: i64) -> String {
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

    /// The fact values the caller's stage shows.
    pub(crate) async fn fact_map(&self, stage: Stage) -> Result<Arc<FactMap>> {
        let seq = self.seq();
        if let Some((at, map)) = &self.renders.facts.lock().expect("fact cache")[stage_slot(stage)]
            && *at == seq
        {
            return Ok(map.clone());
        }
        let map: FactMap = self
            .store
            .fact_values(stage)
            .await?
            .into_iter()
            .map(|(locale, slug, value)| ((locale, slug), value))
            .collect();
        let map = Arc::new(map);
        self.renders.facts.lock().expect("fact cache")[stage_slot(stage)] =
            Some((seq, map.clone()));
        Ok(map)
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
        let ch = self.channel(viewer, channel)?;
        let seq = self.seq();
        let key = {
            let mut h = std::hash::DefaultHasher::new();
            (
                &item.id,
                item.stage == Stage::Latest,
                viewer.role.sees_internal(),
                &ch.name,
                variables,
            )
                .hash(&mut h);
            item.version.hash(&mut h);
            h.finish()
        };
        let cached = self
            .renders
            .enabled
            .load(std::sync::atomic::Ordering::Relaxed);
        // The key is a 64-bit hash: a hit must also be for this item and channel.
        if cached
            && let Some((at, r)) = self.renders.renderings.get(&key)
            && at == seq
            && r.source.id == item.id
            && r.channel == ch.name
        {
            return Ok(r);
        }
        let rendered = Arc::new(
            self.render_uncached(viewer, item, ch, variables, refs)
                .await?,
        );
        if cached {
            self.renders.renderings.insert(key, (seq, rendered.clone()));
        }
        Ok(rendered)
    }

    async fn render_uncached(
        &self,
        viewer: &Viewer,
        item: &ItemView,
        ch: &ChannelDef,
        variables: &BTreeMap<String, String>,
        loaded: Option<&HashMap<String, Arc<ItemView>>>,
    ) -> Result<Rendering> {
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
        let refs = match loaded {
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
        let today = date_of(super::now_ms());
        let ctx = Context {
            model: &self.model,
            channel: ch,
            refs: &ref_items,
            facts: facts.as_ref(),
            variables,
            today: &today,
        };
        Ok(render::render(&view_item(item, Some(&checked)), &ctx))
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
            facts: facts.as_ref(),
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
