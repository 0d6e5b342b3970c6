"""Quality gates (`make eval`): scores against labeled sets, with floors the tests enforce."""
