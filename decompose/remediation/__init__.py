"""Remediations: the Lambda hazards the analysis found, turned into AWS architecture.

    analysis.hazards (+ static folders) --propose--> [Decision] --planfile--> [remediate] in decompose.toml
    decompose.toml [remediate] --read--> {(kind, target): choice} --check--> hazards left without a decision
    decisions + service layout --aws--> boto3 modules, resources (CloudFormation) and least-privilege IAM

`model` holds the pure data (kinds, choices, proposals); `table` reads and writes the TOML table;
`audit` says which hazards have no decision; `aws` renders what generate writes for each decision.
"""
