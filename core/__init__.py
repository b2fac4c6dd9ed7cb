"""The ground floor: small pieces every app may use and that know nothing of sites, engagements or lessons."""
