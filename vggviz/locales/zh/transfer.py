"""The "Teach it your own classes" page (pages/transfer.py) and vggviz/transfer.py: transfer
learning (迁移学习), frozen features (冻结特征), the new last layer / classification head (分类头),
fine-tuning the last block (微调), held-out accuracy (验证准确率, as the lab says)."""

MESSAGES = {
    "Transfer learning as the tutorials do it: the network stays **frozen**; each of your images goes through it once and comes out as a vector of features (the output of `pool5`, `fc6` or `fc7`). A **new last layer** (a logistic regression: one linear layer and a softmax) is trained on those vectors, in a second or so. Then any image gets your classes' probabilities.":
        '像教程里那样做迁移学习：网络保持**冻结**；你的每张图像只通过网络一次，得到一个特征向量（`pool5`、`fc6` 或 `fc7` 的输出）。在这些向量上训练一个**新的最后一层**（逻辑回归：一个线性层加 softmax），大约一秒钟。之后任何图像都会得到你的各个类别的概率。',
    'How many classes?':
        '几个类别？',
    'Features of layer':
        '取哪一层的特征',
    'Fine-tune the last block too (conv5_x)':
        '同时微调最后一个卷积块（conv5_x）',
    'Give every class a name.':
        '请给每个类别起个名字。',
    'Train accuracy':
        '训练准确率',
    'Held-out accuracy':
        '验证准确率',
    'Training time':
        '训练时间',
    'Each dot is one of your images, its features squeezed to two numbers by PCA (the two directions in which your examples differ most). Classes that form separate clouds are easy for a linear layer; but PCA keeps only two of many dimensions, so overlapping clouds can still be separable.':
        '每个点是你的一张图像，它的特征被 PCA 压缩成两个数（你的样本之间差别最大的两个方向）。各自成团的类别对线性层来说很容易分开；但 PCA 只保留了众多维度中的两个，所以重叠的点团仍然可能是可分的。',
    'Download your classifier (.pth)':
        '下载你的分类头（.pth）',
    'Try it on a new image':
        '在一张新图像上试试',
    "The sidebar's image":
        '侧边栏的图像',
    'A generated shape':
        '一个生成的形状',
    'Upload one':
        '上传一张',
    'Image':
        '图像',
    'Grad-CAM for your class':
        '你的类别的 Grad-CAM',
    'The features are **random projections** of the pixels, not what a trained VGG sees. Train a new layer anyway and look at the held-out accuracy: usually near chance. That is the lesson: transfer learning transfers what was learned.':
        '特征只是像素的**随机投影**，而不是训练好的 VGG 所看到的东西。不妨照样训练一个新层，看看验证准确率：通常接近随机猜测。这正是要学的一课：迁移学习迁移的是已经学到的东西。',
    'pool5: the last feature maps, flattened (where the convolutions end). fc6, fc7: the fully connected layers, after their ReLU (fc7 is what the tutorials use).':
        'pool5：最后的特征图，展平（卷积部分结束的地方）。fc6、fc7：全连接层，取 ReLU 之后的输出（教程里用的是 fc7）。',
    'Also trains the last convolutional block together with the new layer, on a private copy of it (the shared network is never changed). Slower; counts as a heavy run.':
        '把最后一个卷积块和新层一起训练，在它的私有副本上进行（共享的网络不会被改动）。较慢；算作一次繁重运行。',
    'Epochs':
        '轮次（epoch）',
    'Time limit':
        '时间上限',
    "The tutorials' recipe: first the new layer alone on frozen features, then the last block and the new layer together with a small learning rate (SGD, 0.0001 for the block). Every fifth image of each class (the 2nd, 7th, …) is held out, and both the frozen-features layer and the fine-tuned network are scored on those same images.":
        '教程里的做法：先只在冻结的特征上训练新层，再用很小的学习率（SGD，卷积块用 0.0001）把最后一个卷积块和新层一起训练。每个类别每五张图像留出一张（第 2、7、… 张）作验证，冻结特征的分类头和微调后的网络都在这些相同的图像上评分。',
    'Give every class a different name.':
        '请给每个类别起不同的名字。',
    '🎓 Train the new last layer':
        '🎓 训练新的最后一层',
    'Your classes or the layer changed since the last training: train again to update what follows.':
        '自上次训练以来，你的类别或所选层已经改变：请重新训练以更新下面的内容。',
    'On the images it was trained on. With hundreds of feature dimensions and a few examples this is nearly always 100%, even on random features: do not trust it alone.':
        '在训练用的图像上测得。特征有数百维而样本只有几个时，它几乎总是 100%，即使特征是随机的：不要只看它。',
    'The new layer, plus the cross-validation (features not counted).':
        '新层的训练加上交叉验证（不含提取特征的时间）。',
    'A dict {{"state_dict", "classes", "layer", "variant"}}: torch.load(f, weights_only=True).':
        '一个字典 {{"state_dict", "classes", "layer", "variant"}}：torch.load(f, weights_only=True)。',
    'Download the whole network with your classes (.pth)':
        '下载带有你的类别的整个网络（.pth）',
    "Train on fc7 to download the whole network with your classes (a pool5 or fc6 layer does not fit in VGG's own fc8).":
        '在 fc7 上训练才能下载带有你的类别的整个网络（基于 pool5 或 fc6 的层放不进 VGG 自己的 fc8）。',
    'Fine-tuned: the last block and the new layer together':
        '微调：最后一个卷积块与新层一起训练',
    'Classifier':
        '分类器',
    'Passes over your training images.':
        '遍历你的训练图像的次数。',
    'Fine-tuning stops after this, even if epochs are left.':
        '到时即停止微调，即使还有轮次没跑完。',
    'Images of class {n} (several at once)':
        '类别 {n} 的图像（可一次选多张）',
    'Generated shape':
        '生成的形状',
    'How many':
        '数量',
    'Empty this class':
        '清空这个类别',
    'Every class needs at least one image: upload some, take photos, pick sample photos or fill it with shapes.':
        '每个类别至少需要一张图像：上传一些、拍照、选择示例照片，或用形状填充。',
    '{s:.1f} s':
        '{s:.1f} 秒',
    "Your layer in fc8's place: put it in the teacher's weights folder (or pass it to the command line with --weights) and every page shows your classes.":
        '你的层放在 fc8 的位置：把它放进教师的权重文件夹（或在命令行中用 --weights 传入），每个页面都会显示你的类别。',
    'Not fine-tuned for these classes and settings yet: press Train to fine-tune.':
        '还没有针对这些类别和设置进行微调：按“训练”开始微调。',
    'Held-out, frozen features':
        '验证准确率，冻结特征',
    'Held-out, fine-tuned':
        '验证准确率，微调后',
    'Fine-tuning time':
        '微调时间',
    'An image to classify':
        '要分类的图像',
    'Shape':
        '形状',
    'Example number':
        '样本编号',
    'Your layer says **{label}** ({p:.1f}%). It can only choose among your classes: a picture of something else still gets one of them.':
        '你的层判断为 **{label}**（{p:.1f}%）。它只能在你的类别中选择：别的东西的图片也仍会被归入其中之一。',
    "Grad-CAM of your class **{label}** at {layer}: where the network's maps hold evidence that your new layer counts for this class.":
        '你的类别 **{label}** 在 {layer} 的 Grad-CAM：网络的特征图中哪些地方有你的新层算作这个类别证据的内容。',
    '…or take a photo':
        '……或拍一张照片',
    'Camera':
        '相机',
    'Each photo you take is added to this class; clear the photo to take the next one.':
        '你拍的每张照片都会加入这个类别；清除照片后可以拍下一张。',
    "The shapes lab's generator: what the mini family was trained on.":
        '形状实验室的生成器：迷你系列就是在它上面训练的。',
    'Bundled sample photos':
        '附带的示例照片',
    '5-fold cross-validation: each image predicted by a layer trained without it. Chance is {chance:.0f}%. Needs at least 2 images per class.':
        '5 折交叉验证：每张图像都由一个没有用它训练的层来预测。随机猜测为 {chance:.0f}%。每个类别至少需要 2 张图像。',
    "A new layer on the frozen network's features, trained on the same images.":
        '在冻结网络的特征上训练的新层，用的是同样的训练图像。',
    'The fine-tuned block and its new layer, on the same held-out images.':
        '微调后的卷积块及其新层，在同样的留出图像上测得。',
    'Features up to pool4, the frozen-features layer, then the block and the layer together.':
        '提取到 pool4 的特征、训练冻结特征的分类头，再把卷积块和分类头一起训练。',
    'Every class needs at least 2 images for a held-out test.':
        '每个类别至少需要 2 张图像才能做留出验证。',
    'With random weights there is nothing to fine-tune from: both numbers are about chance.':
        '随机权重没有可供微调的基础：两个数字都接近随机猜测。',
    'Download the fine-tuned network with your classes (.pth)':
        '下载微调后带有你的类别的网络（.pth）',
    'Train on fc7 to download the fine-tuned network.':
        '在 fc7 上训练才能下载微调后的网络。',
    'class {n}':
        '类别 {n}',
    'Fill with {n} generated shapes':
        '用 {n} 个生成的形状填充',
    '1 image':
        '1 张图像',
    'Training…':
        '训练中……',
    'Held-out accuracy (5-fold cross-validation)…':
        '验证准确率（5 折交叉验证）……',
    "The fine-tuned conv5 block and your layer in fc8's place: it opens in the teacher's weights folder and with --weights, like the frozen one.":
        '微调后的 conv5 卷积块，加上放在 fc8 位置的你的层：和冻结版本一样，可以放进教师的权重文件夹或用 --weights 打开。',
    'Fine-tuned network':
        '微调后的网络',
    'Frozen features':
        '冻结特征',
    'Grad-CAM failed: {error}':
        'Grad-CAM 失败：{error}',
    '{s} s':
        '{s} 秒',
    'Only the first {n} images of a class are used.':
        '每个类别只使用前 {n} 张图像。',
    'Features: one forward pass per image…':
        '特征：每张图像一次前向传播……',
    'Fine-tuning: features up to pool4…':
        '微调：提取到 pool4 的特征……',
    'Trained on {n} images, tested on {m} held-out images (chance is {chance:.0f}%); {epochs} epochs, {steps} steps.':
        '在 {n} 张图像上训练，在 {m} 张留出图像上测试（随机猜测为 {chance:.0f}%）；{epochs} 轮，{steps} 步。',
    'Stopped by the time limit after {steps} of {total} steps.':
        '达到时间上限，在 {total} 步中的第 {steps} 步后停止。',
    'Class {n}: its name':
        '类别 {n}：名称',
    'Training failed: {error}':
        '训练失败：{error}',
    '{d:+.0f} points':
        '{d:+.0f} 个百分点',
    '{n} images (the first {k} shown)':
        '{n} 张图像（显示前 {k} 张）',
    '{n} images':
        '{n} 张图像',
    'Fine-tuning failed: {error}':
        '微调失败：{error}',
    'Features: {d} / {t} images':
        '特征：{d} / {t} 张图像',
    'Training: step {s} / {t}, loss {loss:.3f}':
        '训练：第 {s} / {t} 步，损失 {loss:.3f}',
    'Fine-tuning: features up to pool4, {d} / {t} images':
        '微调：提取到 pool4 的特征，{d} / {t} 张图像',
    'Fine-tuning conv5 and the new layer: step {s} / {t}, loss {loss:.3f}':
        '微调 conv5 和新层：第 {s} / {t} 步，损失 {loss:.3f}',
    'unknown feature layer {layer!r}; choose one of: {choices}':
        '未知的特征层 {layer!r}；请从这些中选择：{choices}',
    'give at least {k} classes (got {n})':
        '请至少给出 {k} 个类别（现在是 {n} 个）',
    'give at most {k} classes (got {n})':
        '最多给出 {k} 个类别（现在是 {n} 个）',
    '{layer} features of your examples, first two principal components':
        '你的样本的 {layer} 特征，前两个主成分',
    'PC1 ({p:.0f}% of variance)':
        'PC1（方差的 {p:.0f}%）',
    'PC2 ({p:.0f}% of variance)':
        'PC2（方差的 {p:.0f}%）',
    'probability':
        '概率',
    'target must be a class index from 0 to {last}':
        '目标必须是 0 到 {last} 之间的类别编号',
    'layer {name!r} has no spatial map for Grad-CAM':
        '层 {name!r} 没有可用于 Grad-CAM 的空间特征图',
    'unknown shape {shape!r}; choose one of: {choices}':
        '未知的形状 {shape!r}；请从这些中选择：{choices}',
    'the head reads {n} features, fc8 reads {m}':
        '分类头读取 {n} 个特征，而 fc8 读取 {m} 个',
    'epochs must be 1 to {k}':
        '轮次必须在 1 到 {k} 之间',
    'the time limit must be more than 0 and at most {s:.0f} s':
        '时间上限必须大于 0 且不超过 {s:.0f} 秒',
    'class {name!r} has no images':
        '类别 {name!r} 没有图像',
    'the fine-tuned block does not fit {variant} ({key})':
        '微调后的卷积块与 {variant} 不匹配（{key}）',
}
