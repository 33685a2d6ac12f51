//! The k8s, git, cloud and data store families through the real binary:
//! `guard check --format json -c LINE`, asserting the verdict and the rule ids that fired.

use assert_cmd::Command;
use serde_json::Value;

fn check(line: &str) -> (String, Vec<String>) {
    let out = Command::cargo_bin("guard").unwrap().args(["check", "--format", "json", "-c", line]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{line:?}: bad JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    let verdict = v["verdict"].as_str().unwrap_or_default().to_string();
    let rules = v["findings"]
        .as_array()
        .map(|f| f.iter().filter_map(|x| x["rule"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    (verdict, rules)
}

/// Each case: the line, the expected verdict, and a rule id that must be among the findings
/// (`""` for `allow`: then no rule may fire at all).
fn run(cases: &[(&str, &str, &str)]) {
    let mut bad = vec![];
    for (line, verdict, rule) in cases {
        let (v, rules) = check(line);
        let rule_ok = if rule.is_empty() { rules.is_empty() } else { rules.iter().any(|r| r == rule) };
        if v != *verdict || !rule_ok {
            bad.push(format!("{line:?}: want {verdict} {rule}, got {v} {rules:?}"));
        }
    }
    assert!(bad.is_empty(), "{} of {} cases wrong:\n{}", bad.len(), cases.len(), bad.join("\n"));
}

#[test]
fn kubernetes() {
    run(&[
        ("kubectl delete ns prod", "deny", "k8s.delete-namespace"),
        ("kubectl delete namespace prod", "deny", "k8s.delete-namespace"),
        ("kubectl delete namespaces a b", "deny", "k8s.delete-namespace"),
        ("kubectl delete ns/prod", "deny", "k8s.delete-namespace"),
        ("kubectl delete Namespace/prod", "deny", "k8s.delete-namespace"),
        ("kubectl delete \"ns\" prod", "deny", "k8s.delete-namespace"),
        ("kubectl delete 'namespace' prod", "deny", "k8s.delete-namespace"),
        ("kubectl --context prod -n x delete ns y", "deny", "k8s.delete-namespace"),
        ("kubectl --context=prod delete ns y", "deny", "k8s.delete-namespace"),
        ("kubectl --kubeconfig ~/.kube/prod delete ns y", "deny", "k8s.delete-namespace"),
        ("kubectl -s https://k:6443 --user admin delete ns y", "deny", "k8s.delete-namespace"),
        ("sudo kubectl delete ns prod", "deny", "k8s.delete-namespace"),
        ("env KUBECONFIG=/x kubectl delete ns prod", "deny", "k8s.delete-namespace"),
        ("bash -c 'kubectl delete ns prod'", "deny", "k8s.delete-namespace"),
        ("k=kubectl; $k delete ns x", "deny", "k8s.delete-namespace"),
        ("/usr/local/bin/kubectl delete ns x", "deny", "k8s.delete-namespace"),
        ("timeout 60 kubectl delete ns x", "deny", "k8s.delete-namespace"),
        ("oc delete project prod", "deny", "k8s.delete-namespace"),
        ("kubectl delete ns prod --dry-run=none", "deny", "k8s.delete-namespace"),
        ("kubectl delete pod,ns a", "deny", "k8s.delete-namespace"),
        ("kubectl delete pods --all", "deny", "k8s.delete-all"),
        ("kubectl delete all --all -n prod", "deny", "k8s.delete-all"),
        ("kubectl delete pods -A -l app=x", "deny", "k8s.delete-all-namespaces"),
        ("kubectl delete deploy --all-namespaces --selector=tier=cache", "deny", "k8s.delete-all-namespaces"),
        ("kubectl delete crd certificates.cert-manager.io", "deny", "k8s.delete-crd"),
        ("kubectl delete customresourcedefinitions x.example.com", "deny", "k8s.delete-crd"),
        ("kubectl delete crd/x.example.com", "deny", "k8s.delete-crd"),
        ("kubectl -n kube-system delete pod coredns-1", "deny", "k8s.delete-kube-system"),
        ("kubectl delete pod coredns-1 -nkube-system", "deny", "k8s.delete-kube-system"),
        ("kubectl delete pod coredns-1 -n=kube-system", "deny", "k8s.delete-kube-system"),
        ("kubectl delete pod coredns-1 --namespace=kube-system", "deny", "k8s.delete-kube-system"),
        ("kubectl delete pod web-1 --force --grace-period=0", "warn", "k8s.force-delete"),
        ("kubectl replace --force -f deploy.yaml", "warn", "k8s.replace-force"),
        ("kubectl scale deploy web --replicas=0", "warn", "k8s.scale-to-zero"),
        ("kubectl drain node-1 --ignore-daemonsets --delete-emptydir-data", "warn", "k8s.drain"),
        ("helm uninstall web", "ask", "k8s.helm-uninstall"),
        ("helm delete web --namespace prod", "ask", "k8s.helm-uninstall"),
        ("helm --kube-context prod -n x del web", "ask", "k8s.helm-uninstall"),
        ("helm un web", "ask", "k8s.helm-uninstall"),
        // Ordinary work stays allowed.
        ("kubectl get pods -A", "allow", ""),
        ("kubectl get ns", "allow", ""),
        ("kubectl describe ns prod", "allow", ""),
        ("kubectl logs -f deploy/web -n prod", "allow", ""),
        ("kubectl apply -f deploy.yaml", "allow", ""),
        ("kubectl rollout restart deploy/web -n prod", "allow", ""),
        ("kubectl rollout status deploy/web", "allow", ""),
        ("kubectl delete pod web-1", "allow", ""),
        ("kubectl delete pod web-1 -n prod", "allow", ""),
        ("kubectl delete deployment web -n prod --context staging", "allow", ""),
        ("kubectl delete -f job.yaml", "allow", ""),
        ("kubectl delete ns prod --dry-run=client", "allow", ""),
        ("kubectl delete ns prod --dry-run=server", "allow", ""),
        ("kubectl delete ns prod --dry-run", "allow", ""),
        ("kubectl scale deploy web --replicas=3", "allow", ""),
        ("kubectl -n kube-system get pods", "allow", ""),
        ("kubectl get pods -l app=delete", "allow", ""),
        ("echo kubectl delete ns prod", "allow", ""),
        ("helm list -A", "allow", ""),
        ("helm upgrade --install web ./chart -n prod", "allow", ""),
        ("helm uninstall web --dry-run", "allow", ""),
        ("kubectl exec -it web -- ls /", "allow", ""),
    ]);
}

#[test]
fn kubectl_exec_after_global_flags_is_unwrapped() {
    run(&[
        ("kubectl -n x exec pod -- rm -rf /", "deny", "fs.rm-root"),
        ("kubectl --context prod exec -it pod -- rm -rf /", "deny", "fs.rm-root"),
        ("kubectl exec pod -- redis-cli FLUSHALL", "deny", "datastore.redis-flush"),
    ]);
}

#[test]
fn git() {
    run(&[
        ("git push --force", "deny", "git.force-push"),
        ("git push -f origin main", "deny", "git.force-push"),
        ("git push origin main -f", "deny", "git.force-push"),
        ("git push -uf origin feature", "deny", "git.force-push"),
        ("git push origin +main", "deny", "git.force-push"),
        ("git push origin +HEAD:refs/heads/main", "deny", "git.force-push"),
        ("git push --mirror backup", "deny", "git.force-push"),
        ("git push --force-with-lease --force", "deny", "git.force-push"),
        ("git push --force --force-with-lease origin main", "deny", "git.force-push"),
        ("git -C repo push --force", "deny", "git.force-push"),
        ("git -c user.name=x push -f", "deny", "git.force-push"),
        ("git --git-dir=.git --work-tree . push -f", "deny", "git.force-push"),
        ("git --git-dir .git push -f", "deny", "git.force-push"),
        ("git --no-pager -P --namespace x push -f", "deny", "git.force-push"),
        ("sudo -u deploy git push --force", "deny", "git.force-push"),
        ("bash -c 'cd repo && git push -f'", "deny", "git.force-push"),
        ("g=git; $g push --force", "deny", "git.force-push"),
        ("git -c alias.p='push --force' p", "deny", "git.force-push"),
        ("git -c 'alias.yolo=!git push -f' yolo", "deny", "git.force-push"),
        ("git push origin :main", "deny", "git.delete-main-branch"),
        ("git push origin --delete master", "deny", "git.delete-main-branch"),
        ("git push -d origin main", "deny", "git.delete-main-branch"),
        ("git push origin --delete old-feature", "ask", "git.delete-remote-branch"),
        ("git push origin :old-feature", "ask", "git.delete-remote-branch"),
        ("git push --prune origin 'refs/heads/*:refs/heads/*'", "ask", "git.push-prune"),
        ("git reset --hard HEAD~1", "warn", "git.discard-local"),
        ("git clean -fdx", "warn", "git.discard-local"),
        ("git checkout -- .", "warn", "git.discard-local"),
        ("git branch -D topic", "warn", "git.discard-local"),
        ("git stash drop", "warn", "git.discard-local"),
        ("git stash clear", "warn", "git.discard-local"),
        ("git filter-branch --tree-filter 'rm -f x' HEAD", "warn", "git.rewrite-history"),
        ("git filter-repo --invert-paths --path x", "warn", "git.rewrite-history"),
        // Ordinary work stays allowed.
        ("git push", "allow", ""),
        ("git push origin feature", "allow", ""),
        ("git push -u origin HEAD", "allow", ""),
        ("git push --force-with-lease", "allow", ""),
        ("git push --force-with-lease=main:abc123 origin main", "allow", ""),
        ("git push --force-with-lease --force-if-includes origin feature", "allow", ""),
        ("git push --force-with-lease origin +feature", "allow", ""),
        ("git push --tags", "allow", ""),
        ("git push -f --dry-run", "allow", ""),
        ("git push -nf origin main", "allow", ""),
        ("git push -o ci.skip origin feature", "allow", ""),
        ("git commit -m 'force push fix; git push --force is bad'", "allow", ""),
        ("git log --grep='push -f'", "allow", ""),
        ("git -C repo status", "allow", ""),
        ("git fetch --prune", "allow", ""),
        ("git reset --soft HEAD~1", "allow", ""),
        ("git clean -n", "allow", ""),
        ("git checkout main", "allow", ""),
        ("git checkout -b feature", "allow", ""),
        ("git branch -d topic", "allow", ""),
        ("git stash", "allow", ""),
        ("git stash pop", "allow", ""),
        ("git restore --staged x", "allow", ""),
        ("echo git push --force", "allow", ""),
    ]);
}

#[test]
fn cloud() {
    run(&[
        ("terraform destroy", "deny", "cloud.iac-destroy"),
        ("terraform destroy -auto-approve", "deny", "cloud.iac-destroy"),
        ("terraform destroy --auto-approve", "deny", "cloud.iac-destroy"),
        ("terraform apply -destroy", "deny", "cloud.iac-destroy"),
        ("terraform apply -destroy=true -auto-approve", "deny", "cloud.iac-destroy"),
        ("terraform -chdir=infra/prod destroy", "deny", "cloud.iac-destroy"),
        ("tofu destroy -auto-approve", "deny", "cloud.iac-destroy"),
        ("terragrunt run-all destroy", "deny", "cloud.iac-destroy"),
        ("sudo terraform destroy", "deny", "cloud.iac-destroy"),
        ("env TF_LOG=debug terraform destroy", "deny", "cloud.iac-destroy"),
        ("bash -c 'cd infra && terraform destroy -auto-approve'", "deny", "cloud.iac-destroy"),
        ("tf=terraform; $tf destroy", "deny", "cloud.iac-destroy"),
        ("pulumi destroy --yes", "deny", "cloud.iac-destroy"),
        ("pulumi -C infra destroy -s prod -y", "deny", "cloud.iac-destroy"),
        ("terraform destroy -target=aws_instance.web", "ask", "cloud.iac-destroy-targeted"),
        ("terraform destroy -target aws_instance.web", "ask", "cloud.iac-destroy-targeted"),
        ("terraform state rm aws_instance.web", "warn", "cloud.state-rm"),
        ("terraform workspace delete prod", "ask", "cloud.delete-resource"),
        ("pulumi stack rm prod --yes", "ask", "cloud.delete-resource"),
        ("aws s3 rm s3://bucket --recursive", "deny", "cloud.delete-recursive"),
        ("aws --profile prod --region eu-west-1 s3 rm s3://b/p/ --recursive", "deny", "cloud.delete-recursive"),
        ("aws --debug s3 rm s3://b --recursive", "deny", "cloud.delete-recursive"),
        ("aws s3 rb s3://bucket --force", "deny", "cloud.delete-environment"),
        ("aws s3api delete-bucket --bucket b", "deny", "cloud.delete-environment"),
        ("aws rds delete-db-instance --db-instance-identifier db --skip-final-snapshot", "deny", "cloud.delete-environment"),
        ("aws rds delete-db-cluster --db-cluster-identifier c", "deny", "cloud.delete-environment"),
        ("aws dynamodb delete-table --table-name t", "deny", "cloud.delete-environment"),
        ("aws cloudformation delete-stack --stack-name prod", "deny", "cloud.delete-environment"),
        ("aws eks delete-cluster --name c", "deny", "cloud.delete-environment"),
        ("aws --region=us-east-1 ec2 terminate-instances --instance-ids i-1 i-2", "ask", "cloud.delete-resource"),
        ("aws lambda delete-function --function-name f", "ask", "cloud.delete-resource"),
        ("aws iam delete-role --role-name r", "warn", "cloud.delete-identity"),
        ("gcloud projects delete my-proj", "deny", "cloud.delete-environment"),
        ("gcloud --project p sql instances delete db1 --quiet", "deny", "cloud.delete-environment"),
        ("gcloud beta sql instances delete db1", "deny", "cloud.delete-environment"),
        ("gcloud container clusters delete c --zone us-central1-a -q", "deny", "cloud.delete-environment"),
        ("gcloud compute instances delete vm-1 --zone z", "ask", "cloud.delete-resource"),
        ("gcloud storage rm -r gs://b/x", "deny", "cloud.delete-recursive"),
        ("gcloud storage rm gs://b/**", "deny", "cloud.delete-recursive"),
        ("gsutil -m rm -r gs://bucket/dir", "deny", "cloud.delete-recursive"),
        ("gsutil rb gs://bucket", "deny", "cloud.delete-environment"),
        ("az group delete -n rg --yes", "deny", "cloud.delete-environment"),
        ("az group delete --name rg --no-wait -y", "deny", "cloud.delete-environment"),
        ("az sql db delete -g rg -s srv -n db", "deny", "cloud.delete-environment"),
        ("az aks delete -g rg -n c", "deny", "cloud.delete-environment"),
        ("az storage account delete -n acct -g rg", "deny", "cloud.delete-environment"),
        ("az vm delete -g rg -n vm --yes", "ask", "cloud.delete-resource"),
        // Ordinary work stays allowed.
        ("terraform plan", "allow", ""),
        ("terraform plan -destroy", "allow", ""),
        ("terraform plan -destroy -out destroy.tfplan", "allow", ""),
        ("terraform apply tfplan", "allow", ""),
        ("terraform apply -auto-approve", "allow", ""),
        ("terraform apply -destroy=false", "allow", ""),
        ("terraform init -upgrade", "allow", ""),
        ("terraform state list", "allow", ""),
        ("pulumi up --yes", "allow", ""),
        ("pulumi destroy --preview-only", "allow", ""),
        ("aws s3 cp a.txt s3://b/a.txt", "allow", ""),
        ("aws s3 ls s3://b", "allow", ""),
        ("aws s3 rm s3://b/key", "allow", ""),
        ("aws s3 rm s3://b/p --recursive --dryrun", "allow", ""),
        ("aws s3 sync ./dist s3://site", "allow", ""),
        ("aws rds describe-db-instances", "allow", ""),
        ("aws ec2 terminate-instances --instance-ids i-1 --dry-run", "allow", ""),
        ("gcloud projects list", "allow", ""),
        ("gcloud sql instances describe db1", "allow", ""),
        ("gcloud compute ssh vm-1", "allow", ""),
        ("gsutil rm gs://b/one", "allow", ""),
        ("gsutil cp x gs://b/x", "allow", ""),
        ("az group list -o table", "allow", ""),
        ("az vm list", "allow", ""),
        ("echo terraform destroy", "allow", ""),
    ]);
}

#[test]
fn datastores() {
    run(&[
        ("redis-cli FLUSHALL", "deny", "datastore.redis-flush"),
        ("redis-cli flushall", "deny", "datastore.redis-flush"),
        ("redis-cli FlushDB", "deny", "datastore.redis-flush"),
        ("redis-cli -h prod -p 6380 -n 2 flushdb", "deny", "datastore.redis-flush"),
        ("redis-cli -a secret --no-auth-warning FLUSHALL ASYNC", "deny", "datastore.redis-flush"),
        ("redis-cli -u redis://h:6379/0 flushall", "deny", "datastore.redis-flush"),
        ("sudo redis-cli flushall", "deny", "datastore.redis-flush"),
        ("bash -c 'redis-cli FLUSHALL'", "deny", "datastore.redis-flush"),
        ("r=redis-cli; $r FLUSHALL", "deny", "datastore.redis-flush"),
        ("echo FLUSHALL | redis-cli", "deny", "datastore.redis-flush"),
        ("echo flushall | redis-cli -h db", "deny", "datastore.redis-flush"),
        ("printf 'SELECT 1\\nFLUSHDB\\n' | redis-cli", "deny", "datastore.redis-flush"),
        ("redis-cli <<EOF\nSELECT 2\nflushall\nEOF", "deny", "datastore.redis-flush"),
        ("redis-cli <<< FLUSHALL", "deny", "datastore.redis-flush"),
        ("redis-cli --cluster call 10.0.0.1:6379 FLUSHALL", "deny", "datastore.redis-flush"),
        ("kubectl exec -it redis-0 -- redis-cli FLUSHALL", "deny", "datastore.redis-flush"),
        ("redis-cli CONFIG SET dir /root/.ssh", "ask", "datastore.redis-dangerous-command"),
        ("redis-cli config set dbfilename authorized_keys", "ask", "datastore.redis-dangerous-command"),
        ("redis-cli SHUTDOWN NOSAVE", "ask", "datastore.redis-dangerous-command"),
        ("redis-cli debug segfault", "ask", "datastore.redis-dangerous-command"),
        ("redis-cli --scan --pattern 'sess:*' | xargs redis-cli del", "warn", "datastore.redis-bulk-delete"),
        ("mongosh app --eval 'db.dropDatabase()'", "deny", "datastore.mongo-drop"),
        ("mongosh --eval='db.dropDatabase()' app", "deny", "datastore.mongo-drop"),
        ("mongo mongodb://h:27017/app --eval \"db.users.drop()\"", "deny", "datastore.mongo-drop"),
        ("mongosh app --quiet --eval 'db.getCollection(\"x\").drop()'", "deny", "datastore.mongo-drop"),
        ("mongosh app <<EOF\nuse app\ndb.dropDatabase()\nEOF", "deny", "datastore.mongo-drop"),
        ("echo 'db.runCommand({dropDatabase: 1})' | mongosh app", "deny", "datastore.mongo-drop"),
        ("mongosh admin --eval 'db.dropAllUsers()'", "deny", "datastore.mongo-drop"),
        ("mongosh app --eval 'db.users.deleteMany({})'", "deny", "datastore.mongo-delete-all"),
        ("mongosh app --eval 'db.users.deleteMany( {} )'", "deny", "datastore.mongo-delete-all"),
        ("mongo app --eval 'db.sessions.remove({})'", "deny", "datastore.mongo-delete-all"),
        ("mongosh app --eval 'db.users.updateMany({}, {$set: {admin: true}})'", "deny", "datastore.mongo-update-all"),
        ("dropdb app", "deny", "sql.drop"),
        ("dropdb -h db.prod -U postgres --if-exists app", "deny", "sql.drop"),
        ("sudo -u postgres dropdb app", "deny", "sql.drop"),
        ("mysqladmin -u root -f drop shop", "deny", "sql.drop"),
        ("mysqladmin --host=db DROP shop", "deny", "sql.drop"),
        ("pg_restore --clean -d app dump.pgdump", "ask", "datastore.restore-drop"),
        ("pg_restore -c -d app dump", "ask", "datastore.restore-drop"),
        ("pg_restore -cd app dump", "ask", "datastore.restore-drop"),
        ("mongorestore --drop --uri mongodb://h dump/", "ask", "datastore.restore-drop"),
        // Ordinary work stays allowed.
        ("redis-cli GET k", "allow", ""),
        ("redis-cli -h db SET k v", "allow", ""),
        ("redis-cli DEL k1 k2", "allow", ""),
        ("redis-cli PING", "allow", ""),
        ("redis-cli INFO keyspace", "allow", ""),
        ("redis-cli CONFIG GET dir", "allow", ""),
        ("redis-cli SET note FLUSHALL", "allow", ""),
        ("redis-cli --scan --pattern 'sess:*'", "allow", ""),
        ("echo FLUSHALL", "allow", ""),
        ("echo 'redis-cli FLUSHALL'", "allow", ""),
        ("mongosh --eval 'db.users.find({name: \"drop()\"})'", "allow", ""),
        ("mongosh app --eval \"db.notes.insertOne({text: 'db.dropDatabase()'})\"", "allow", ""),
        ("mongosh app --eval '// db.dropDatabase()\nprint(1)'", "allow", ""),
        ("mongosh app --eval 'db.sessions.deleteMany({expired: true})'", "allow", ""),
        ("mongosh app --eval 'db.users.countDocuments()'", "allow", ""),
        ("echo 'db.dropDatabase()'", "allow", ""),
        ("pg_restore -d app dump.pgdump", "allow", ""),
        ("pg_restore --clean -f out.sql dump", "allow", ""),
        ("pg_restore -l dump", "allow", ""),
        ("mongorestore dump/", "allow", ""),
        ("createdb app", "allow", ""),
        ("mysqladmin -u root status", "allow", ""),
        ("dropdb --help", "allow", ""),
    ]);
}

/// Every example of every rule of these families behaves (`guard rules test`).
#[test]
fn rule_examples() {
    let out = Command::cargo_bin("guard").unwrap().args(["rules", "test"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let ours: Vec<&str> = text
        .lines()
        .filter(|l| ["FAIL k8s.", "FAIL git.", "FAIL cloud.", "FAIL datastore."].iter().any(|p| l.starts_with(p)))
        .collect();
    assert!(!text.is_empty(), "guard rules test printed nothing");
    assert!(ours.is_empty(), "failing examples:\n{}", ours.join("\n"));
}
