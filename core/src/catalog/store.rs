//! The immutable `Catalog`: records in load order, hash indexes by name (and alias), and
//! associations resolved once at load into index lists in the target's load order.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use super::kind::RecordKind;
use super::model::{AddOn, BackendService, LicenseType, Record, Service, UnitPrimitive};

/// Where a catalog was loaded from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CatalogSource {
    /// The `config/` directory embedded at build time.
    Embedded,
    /// A directory read at run time.
    Directory(PathBuf),
    /// Records a binding supplied (`Catalog::from_records_json`).
    Records,
}

/// The loaded catalog. Cloning is cheap (one shared, immutable copy of the records).
#[derive(Clone)]
pub struct Catalog {
    inner: Arc<Data>,
}

struct Data {
    unit_primitives: Vec<UnitPrimitive>,
    backend_services: Vec<BackendService>,
    add_ons: Vec<AddOn>,
    license_types: Vec<LicenseType>,
    services: Vec<Service>,
    /// Unit primitive names and aliases.
    up_index: HashMap<String, usize>,
    backend_index: HashMap<String, usize>,
    add_on_index: HashMap<String, usize>,
    license_index: HashMap<String, usize>,
    service_index: HashMap<String, usize>,
    up_backends: Vec<Vec<usize>>,
    up_add_ons: Vec<Vec<usize>>,
    up_licenses: Vec<Vec<usize>>,
    service_ups: Vec<Vec<usize>>,
    source: CatalogSource,
}

/// The gem's association rule: the target records whose canonical name is listed, in the
/// target's load order; unknown names are dropped and aliases are not followed.
fn associate(
    index: &HashMap<String, usize>,
    canonical: impl Fn(usize) -> bool,
    names: &[String],
) -> Vec<usize> {
    let mut ids: Vec<usize> = names
        .iter()
        .filter_map(|n| index.get(n).copied())
        .filter(|&i| canonical(i))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The same rule over plain names, for records a binding holds (a Ruby loader's models): the
/// positions, in target order, of every target whose name is listed. Duplicate target names all
/// match, as the gem's `select` does.
pub fn association_order<S: AsRef<str>>(target_names: &[S], listed: &[String]) -> Vec<usize> {
    let listed: std::collections::HashSet<&str> = listed.iter().map(String::as_str).collect();
    target_names
        .iter()
        .enumerate()
        .filter(|(_, n)| listed.contains(n.as_ref()))
        .map(|(i, _)| i)
        .collect()
}

fn index_by_name<T: Record>(records: &[T]) -> HashMap<String, usize> {
    records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name().to_owned(), i))
        .collect()
}

impl Catalog {
    /// Builds the indexes over records that have passed validation.
    pub(crate) fn from_records(
        unit_primitives: Vec<UnitPrimitive>,
        backend_services: Vec<BackendService>,
        add_ons: Vec<AddOn>,
        license_types: Vec<LicenseType>,
        services: Vec<Service>,
        source: CatalogSource,
    ) -> Catalog {
        let mut up_index = HashMap::with_capacity(unit_primitives.len() * 2);
        for (i, up) in unit_primitives.iter().enumerate() {
            up_index.insert(up.name.clone(), i);
        }
        // Aliases after names, so a name always wins (validation forbids the clash anyway).
        for (i, up) in unit_primitives.iter().enumerate() {
            for alias in up.aliases() {
                up_index.entry(alias.clone()).or_insert(i);
            }
        }
        let backend_index = index_by_name(&backend_services);
        let add_on_index = index_by_name(&add_ons);
        let license_index = index_by_name(&license_types);
        let service_index = index_by_name(&services);
        let all = |_: usize| true;
        let up_backends = unit_primitives
            .iter()
            .map(|u| associate(&backend_index, all, &u.backend_services))
            .collect();
        let up_add_ons = unit_primitives
            .iter()
            .map(|u| associate(&add_on_index, all, &u.add_ons))
            .collect();
        let up_licenses = unit_primitives
            .iter()
            .map(|u| associate(&license_index, all, &u.license_types))
            .collect();
        let service_ups = services
            .iter()
            .map(|s| {
                associate(
                    &up_index,
                    |i| s.unit_primitives.contains(&unit_primitives[i].name),
                    &s.unit_primitives,
                )
            })
            .collect();
        Catalog {
            inner: Arc::new(Data {
                unit_primitives,
                backend_services,
                add_ons,
                license_types,
                services,
                up_index,
                backend_index,
                add_on_index,
                license_index,
                service_index,
                up_backends,
                up_add_ons,
                up_licenses,
                service_ups,
                source,
            }),
        }
    }

    /// Where the records came from (embedded, a directory, or a caller's records).
    pub fn source(&self) -> &CatalogSource {
        &self.inner.source
    }

    /// Every unit primitive in load (file-name) order.
    pub fn unit_primitives(&self) -> &[UnitPrimitive] {
        &self.inner.unit_primitives
    }
    /// Every backend service in load order.
    pub fn backend_services(&self) -> &[BackendService] {
        &self.inner.backend_services
    }
    /// Every add-on in load order.
    pub fn add_ons(&self) -> &[AddOn] {
        &self.inner.add_ons
    }
    /// Every licence type in load order.
    pub fn license_types(&self) -> &[LicenseType] {
        &self.inner.license_types
    }
    /// Every legacy service in load order.
    pub fn services(&self) -> &[Service] {
        &self.inner.services
    }

    /// By name or alias (`find_by_name`).
    pub fn unit_primitive(&self, name: &str) -> Option<&UnitPrimitive> {
        self.inner
            .up_index
            .get(name)
            .map(|&i| &self.inner.unit_primitives[i])
    }
    /// By name.
    pub fn backend_service(&self, name: &str) -> Option<&BackendService> {
        self.inner
            .backend_index
            .get(name)
            .map(|&i| &self.inner.backend_services[i])
    }
    /// By name.
    pub fn add_on(&self, name: &str) -> Option<&AddOn> {
        self.inner
            .add_on_index
            .get(name)
            .map(|&i| &self.inner.add_ons[i])
    }
    /// By name.
    pub fn license_type(&self, name: &str) -> Option<&LicenseType> {
        self.inner
            .license_index
            .get(name)
            .map(|&i| &self.inner.license_types[i])
    }
    /// By name.
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.inner
            .service_index
            .get(name)
            .map(|&i| &self.inner.services[i])
    }

    /// Position of a unit primitive in load order (for records that belong to this catalog).
    fn up_position(&self, up: &UnitPrimitive) -> Option<usize> {
        self.inner
            .up_index
            .get(&up.name)
            .copied()
            .filter(|&i| std::ptr::eq(&self.inner.unit_primitives[i], up))
    }

    fn resolved<'a, T>(&'a self, ids: Option<&'a Vec<usize>>, all: &'a [T]) -> Vec<&'a T> {
        ids.map(|ids| ids.iter().map(|&i| &all[i]).collect())
            .unwrap_or_default()
    }

    /// The unit primitive's backend services, in backend load order.
    pub fn backend_services_of(&self, up: &UnitPrimitive) -> Vec<&BackendService> {
        match self.up_position(up) {
            Some(i) => self.resolved(self.inner.up_backends.get(i), &self.inner.backend_services),
            None => self.lookup_names(
                &self.inner.backend_index,
                &self.inner.backend_services,
                &up.backend_services,
            ),
        }
    }
    /// The unit primitive's add-ons, in add-on load order.
    pub fn add_ons_of(&self, up: &UnitPrimitive) -> Vec<&AddOn> {
        match self.up_position(up) {
            Some(i) => self.resolved(self.inner.up_add_ons.get(i), &self.inner.add_ons),
            None => self.lookup_names(&self.inner.add_on_index, &self.inner.add_ons, &up.add_ons),
        }
    }
    /// The unit primitive's license types, in license type load order.
    pub fn license_types_of(&self, up: &UnitPrimitive) -> Vec<&LicenseType> {
        match self.up_position(up) {
            Some(i) => self.resolved(self.inner.up_licenses.get(i), &self.inner.license_types),
            None => self.lookup_names(
                &self.inner.license_index,
                &self.inner.license_types,
                &up.license_types,
            ),
        }
    }
    /// The service's unit primitives, in unit primitive load order (aliases not followed).
    pub fn unit_primitives_of(&self, service: &Service) -> Vec<&UnitPrimitive> {
        let pos = self.inner.service_index.get(&service.name).copied();
        match pos.filter(|&i| std::ptr::eq(&self.inner.services[i], service)) {
            Some(i) => self.resolved(self.inner.service_ups.get(i), &self.inner.unit_primitives),
            None => {
                let ups = &self.inner.unit_primitives;
                associate(
                    &self.inner.up_index,
                    |i| service.unit_primitives.contains(&ups[i].name),
                    &service.unit_primitives,
                )
                .into_iter()
                .map(|i| &ups[i])
                .collect()
            }
        }
    }

    /// For records built outside this catalog (a binding's `new(**attrs)`): the same rule by name.
    fn lookup_names<'a, T>(
        &'a self,
        index: &HashMap<String, usize>,
        all: &'a [T],
        names: &[String],
    ) -> Vec<&'a T> {
        associate(index, |_| true, names)
            .into_iter()
            .map(|i| &all[i])
            .collect()
    }

    /// The gem's `DataModel.load_all` shape: kind => list of record hashes, association fields as
    /// lists of names, `cut_off_date` as an RFC 3339 string, only the fields the file has.
    pub fn load_all(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        for kind in RecordKind::ALL {
            out.insert(kind.dir().to_owned(), self.records_json(kind));
        }
        serde_json::Value::Object(out)
    }

    /// One kind's records as JSON, in load order.
    pub fn records_json(&self, kind: RecordKind) -> serde_json::Value {
        fn to_json<T: serde::Serialize>(records: &[T]) -> serde_json::Value {
            serde_json::Value::Array(
                records
                    .iter()
                    .map(|r| serde_json::to_value(r).unwrap_or_default())
                    .collect(),
            )
        }
        match kind {
            RecordKind::UnitPrimitive => to_json(self.unit_primitives()),
            RecordKind::BackendService => to_json(self.backend_services()),
            RecordKind::AddOn => to_json(self.add_ons()),
            RecordKind::LicenseType => to_json(self.license_types()),
            RecordKind::Service => to_json(self.services()),
        }
    }
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalog")
            .field("source", &self.inner.source)
            .field("unit_primitives", &self.inner.unit_primitives.len())
            .field("backend_services", &self.inner.backend_services.len())
            .field("add_ons", &self.inner.add_ons.len())
            .field("license_types", &self.inner.license_types.len())
            .field("services", &self.inner.services.len())
            .finish()
    }
}
