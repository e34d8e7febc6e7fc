"""The simulated outside world of caseflow: applicants, desk, planners, caseworkers, deciders."""
