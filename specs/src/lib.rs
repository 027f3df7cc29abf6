pub mod abstract_spec;
