//! `#[derive(Decode)]`: a JSON decoder for an input type of the core, read from the type's own
//! serde attributes (`rename_all`, `rename`, `default`, `deny_unknown_fields`, `try_from`,
//! `expecting`), so the two cannot drift apart.
//!
//! Why not serde's derived `Deserialize`: its visitors, monomorphised for every field type, were
//! about 110 KB of the browser's WebAssembly module. The code written here is one call per field
//! into the shared helpers of `relance_core::json`, which word every error as serde does;
//! `core/tests/json_fuzz.rs` holds the two decoders to the same answers on mangled inputs. A serde
//! attribute this derive does not read is a compile error, never silently ignored.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{parse_macro_input, Attribute, Data, DeriveInput, Fields, LitStr};

/// Derives `relance_core::json::Decode` from the type's serde attributes.
#[proc_macro_derive(Decode, attributes(serde))]
pub fn derive_decode(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// `deserialize_with` readers that are what `Decode` does for their type anyway.
const TYPE_DRIVEN_READERS: [&str; 4] = ["date::de", "date::de_opt", "date::de_instant", "date::de_instant_opt"];

/// The serde attributes that matter for decoding.
#[derive(Default)]
struct SerdeAttrs {
    rename: Option<String>,
    rename_all: Option<String>,
    deny_unknown_fields: bool,
    default: Option<Option<syn::Path>>,
    try_from: Option<syn::Type>,
    expecting: Option<String>,
}

fn serde_attrs(attrs: &[Attribute]) -> syn::Result<SerdeAttrs> {
    let mut out = SerdeAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            let name = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
            let string = |meta: &syn::meta::ParseNestedMeta<'_>| -> syn::Result<String> {
                Ok(meta.value()?.parse::<LitStr>()?.value())
            };
            match name.as_str() {
                "rename" => out.rename = Some(string(&meta)?),
                "rename_all" => out.rename_all = Some(string(&meta)?),
                "deny_unknown_fields" => out.deny_unknown_fields = true,
                "default" if meta.input.peek(syn::Token![=]) => {
                    out.default = Some(Some(syn::parse_str(&string(&meta)?)?))
                }
                "default" => out.default = Some(None),
                "try_from" => out.try_from = Some(syn::parse_str(&string(&meta)?)?),
                "expecting" => out.expecting = Some(string(&meta)?),
                // The core's date and instant readers: `Decode` for the field's type reads the
                // same, so the attribute only matters to serde.
                "deserialize_with" => {
                    let path = string(&meta)?;
                    if !TYPE_DRIVEN_READERS
                        .contains(&path.trim_start_matches("relance_core::").trim_start_matches("crate::"))
                    {
                        return Err(meta.error(format!("Decode: deserialize_with = {path:?} is not a reader it knows")));
                    }
                }
                // Serialization only; `tag` goes with `try_from`, which decides.
                "serialize_with" | "skip_serializing_if" | "tag" => {
                    let _: LitStr = meta.value()?.parse()?;
                }
                other => return Err(meta.error(format!("Decode: `#[serde({other})]` is not supported"))),
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// serde's renaming of a field (`snake_case` in Rust) or a variant (`PascalCase`).
fn rename(name: &str, rule: Option<&str>, variant: bool) -> syn::Result<String> {
    let snake = if variant {
        let mut s = String::new();
        for (i, c) in name.chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                s.push('_');
            }
            s.extend(c.to_lowercase());
        }
        s
    } else {
        name.to_owned()
    };
    Ok(match rule {
        None if variant => name.to_owned(),
        None | Some("snake_case") => snake,
        Some("camelCase") => {
            let mut s = String::new();
            let mut upper = false;
            for c in snake.chars() {
                if c == '_' {
                    upper = true;
                } else if upper {
                    s.extend(c.to_uppercase());
                    upper = false;
                } else {
                    s.push(c);
                }
            }
            s
        }
        Some("lowercase") => name.to_lowercase(),
        Some("kebab-case") => snake.replace('_', "-"),
        Some("SCREAMING_SNAKE_CASE") => snake.to_uppercase(),
        Some(other) => {
            return Err(syn::Error::new(proc_macro2::Span::call_site(), format!("Decode: rename_all = {other:?}")))
        }
    })
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let ty = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let container = serde_attrs(&input.attrs)?;
    let json = quote!(::relance_core::json);
    let body = if let Some(wire) = &container.try_from {
        quote! {
            let wire = <#wire as #json::Decode>::decode(value)?;
            <Self as ::core::convert::TryFrom<#wire>>::try_from(wire).map_err(#json::fault)
        }
    } else {
        match &input.data {
            Data::Struct(data) => {
                let Fields::Named(fields) = &data.fields else {
                    return Err(syn::Error::new_spanned(ty, "Decode: only structs with named fields"));
                };
                if container.default.is_some() {
                    return Err(syn::Error::new_spanned(ty, "Decode: a container-level `default` is not supported"));
                }
                let expecting = container.expecting.clone().unwrap_or_else(|| format!("struct {ty}"));
                let mut names = Vec::new();
                let mut slots = Vec::new();
                let mut inits = Vec::new();
                for (i, field) in fields.named.iter().enumerate() {
                    let Some(ident) = &field.ident else { continue };
                    let attrs = serde_attrs(&field.attrs)?;
                    let rust_name = ident.to_string();
                    let key = match attrs.rename {
                        Some(r) => r,
                        None => rename(rust_name.trim_start_matches("r#"), container.rename_all.as_deref(), false)?,
                    };
                    let slot = quote::format_ident!("found_{}", i);
                    let init = match attrs.default {
                        None => quote!(#json::field(#slot, #key)?),
                        Some(None) => quote!(#json::field_or(#slot, #key, ::core::default::Default::default)?),
                        Some(Some(path)) => quote!(#json::field_or(#slot, #key, #path)?),
                    };
                    names.push(key);
                    slots.push(slot);
                    inits.push(quote!(#ident: #init));
                }
                let count = names.len();
                let deny = container.deny_unknown_fields;
                // One pass over the keys finds each field's value (and, with
                // `deny_unknown_fields`, the first unknown key); then the fields are decoded in
                // the order they are declared. serde reads keys in order: for an object with
                // several faults, the two may name different ones, each a real fault.
                quote! {
                    let object = #json::object(value, #expecting)?;
                    let mut found = [::core::option::Option::None; #count];
                    #json::find_fields(object, &[#(#names),*], #deny, &mut found)?;
                    let [#(#slots),*] = found;
                    ::core::result::Result::Ok(#ty { #(#inits),* })
                }
            }
            Data::Enum(data) => {
                let mut names = Vec::new();
                let mut arms = Vec::new();
                for (i, variant) in data.variants.iter().enumerate() {
                    if !matches!(variant.fields, Fields::Unit) {
                        return Err(syn::Error::new_spanned(
                            variant,
                            "Decode: only unit variants (read tagged enums through a wire struct and try_from)",
                        ));
                    }
                    let attrs = serde_attrs(&variant.attrs)?;
                    let name = match attrs.rename {
                        Some(r) => r,
                        None => rename(&variant.ident.to_string(), container.rename_all.as_deref(), true)?,
                    };
                    let ident = &variant.ident;
                    names.push(name);
                    arms.push(quote!(#i => ::core::result::Result::Ok(#ty::#ident)));
                }
                quote! {
                    match #json::variant(value, &[#(#names),*])? {
                        #(#arms,)*
                        _ => ::core::result::Result::Err(#json::fault("no such variant")),
                    }
                }
            }
            Data::Union(_) => return Err(syn::Error::new_spanned(ty, "Decode: unions are not inputs")),
        }
    };
    Ok(quote! {
        impl #impl_generics #json::Decode for #ty #ty_generics #where_clause {
            fn decode(value: &#json::Value) -> ::core::result::Result<Self, #json::DeError> {
                #body
            }
        }
    })
}
