//! The search index as the bulk lookup's [`PostcodeLocator`]: a CSV's postcodes are read by the
//! same normaliser as the search box (any case and spacing, see [`crate::postcode`]).

use cnimap_core::bulk::{Located, PostcodeLocator};

use crate::{PostcodeLookup, SearchIndex};

impl PostcodeLocator for SearchIndex {
    fn locate(&self, postcode: &str) -> Located {
        match self.postcode(postcode) {
            None => Located::Malformed,
            Some(PostcodeLookup::England(hit)) => Located::England {
                lsoa21: hit.lsoa21,
                lsoa11: hit.lsoa11,
            },
            Some(PostcodeLookup::OutsideEngland) => Located::OutsideEngland,
            Some(PostcodeLookup::NotInFile) => Located::NotInFile,
        }
    }
}
